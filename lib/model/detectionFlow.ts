/**
 * Inference of the segmenter between its networks, written once for every backend: from the dense outputs
 * (FPN levels and the RPN head's logits and deltas) to proposals (anchors, filterRpnProposals), RoIAlign,
 * the box head's post-processing (postprocessDetections) and each detection's own-class mask. The networks
 * themselves run elsewhere (TensorFlow.js in rpn.ts / roiHeads.ts, onnxruntime in onnx/session.ts): the RoI
 * heads' part is a generator that asks for the box head and the mask head on RoI features, so a synchronous
 * and an asynchronous backend drive the same steps and cannot drift. The TensorFlow.js stages run the two
 * parts themselves (createRpn's proposals are rpnProposals, createRoiHeads' detections are roiHeadsFlow driven
 * by its heads); onnxruntime runs them composed, as detectionFlow.
 *
 *   rpnProposals(config, head, featureHWs, sizes, training?): { anchors, boxes, scores } — RegionProposalNetwork
 *        after its head: the grid's anchors and the filtered proposals (test or training sizes of the config)
 *   roiHeadsFlow(config, roiLevels, proposals, imageHW, opts): Generator<HeadRequest, RawDetections, HeadResult>
 *        — RoIHeads at inference: RoIAlign, box head, postprocess_detections, mask head, own-class masks
 *   detectionFlow(config, dense, sizes, opts) — the two in a row, from a dense network's outputs
 *   driveSync(flow, heads) / driveAsync(flow, heads): RawDetections
 *   anchorsFor(anchors, paddedHW, featureHWs) — cached anchors of a grid
 *   rpnFilterConfig(rpn, training), detectionConfig(roiHeads, opts) — the post-processing settings of a config
 *   ownClassMasks(probs [D,M,M,K], labels, K): Float32Array [D,M,M]
 */
import { generateAnchors } from './anchors';
import type { Boxes } from './boxOps';
import type { SegmenterConfig } from './config';
import type { DetectOptions, RawDetections } from './maskRcnn';
import { filterRpnProposals, postprocessDetections, type DetectionConfig, type RpnFilterConfig } from './postprocess';
import { multiScaleRoiAlignArrays, type FeatureLevel } from './roiAlign';
import type { ImageSize } from './rpn';

export type { FeatureLevel };

/** What the dense network (backbone + FPN + RPN head) gives for one image, as host arrays. */
export interface DenseOutputs {
  /** Every FPN level, fine to coarse, NHWC (the RPN reads all; RoIAlign the first `roiLevels`). */
  levels: FeatureLevel[];
  /** [totalAnchors] logits and [totalAnchors*4] deltas, in anchor order (anchors.flattenRpnHead). */
  objectness: Float32Array;
  deltas: Float32Array;
}

export type HeadRequest =
  /** Box head on [count, S, S, C] RoI features → class logits [count, K], box regression [count, 4K]. */
  | { head: 'box'; roiFeatures: Float32Array; count: number }
  /** Mask head on [count, 14, 14, C] RoI features → sigmoid probabilities [count, M, M, K]. */
  | { head: 'mask'; roiFeatures: Float32Array; count: number };
export type HeadResult = { classLogits: Float32Array; boxRegression: Float32Array } | { maskProbs: Float32Array };
/** RoI heads inference, paused at each head it needs run; returns the detections. */
export type Flow = Generator<HeadRequest, RawDetections, HeadResult>;

export interface Heads {
  box(roiFeatures: Float32Array, count: number): { classLogits: Float32Array; boxRegression: Float32Array };
  mask(roiFeatures: Float32Array, count: number): Float32Array;
}
export type AsyncHeads = { [K in keyof Heads]: (...args: Parameters<Heads[K]>) => Promise<ReturnType<Heads[K]>> };

export function rpnFilterConfig(r: SegmenterConfig['rpn'], training: boolean): RpnFilterConfig {
  return {
    preNmsTopN: training ? r.preNmsTopNTrain : r.preNmsTopNTest, postNmsTopN: training ? r.postNmsTopNTrain : r.postNmsTopNTest,
    nmsThresh: r.nmsThresh, minSize: r.minBoxSize, scoreThresh: 0, boxWeights: r.boxWeights,
  };
}

export function detectionConfig(r: SegmenterConfig['roiHeads'], opts: DetectOptions = {}): DetectionConfig {
  return {
    scoreThresh: opts.scoreThresh ?? r.scoreThresh, nmsThresh: opts.nmsThresh ?? r.nmsThresh,
    detectionsPerImg: opts.detectionsPerImg ?? r.detectionsPerImg, boxWeights: r.boxWeights, minSize: 0.01,
  };
}

const anchorCache = new Map<string, { anchors: Boxes; numPerLevel: number[] }>();

/** Anchors of a padded image size and feature grid, cached (they depend on nothing else). */
export function anchorsFor(anchorCfg: SegmenterConfig['anchors'], paddedHW: readonly [number, number], featureHWs: readonly (readonly [number, number])[]) {
  const key = `${JSON.stringify(anchorCfg)}|${paddedHW}|${featureHWs.join(';')}`;
  let a = anchorCache.get(key);
  if (!a) {
    a = generateAnchors(paddedHW, featureHWs, anchorCfg.sizes, anchorCfg.aspectRatios);
    if (anchorCache.size > 64) anchorCache.clear();
    anchorCache.set(key, a);
  }
  return a;
}

/** Each detection's mask probabilities for its own class: [D, M, M, K] → [D, M, M]. */
export function ownClassMasks(probs: Float32Array, labels: Int32Array, numClasses: number): Float32Array {
  const d = labels.length;
  const cells = probs.length / (d * numClasses);
  if (!Number.isInteger(cells)) throw new Error(`ownClassMasks: ${probs.length} values are not [${d}, M, M, ${numClasses}]`);
  const out = new Float32Array(d * cells);
  for (let i = 0; i < d; i++) for (let p = 0; p < cells; p++) out[i * cells + p] = probs[(i * cells + p) * numClasses + labels[i]];
  return out;
}

/**
 * RegionProposalNetwork after its head (logits and deltas as host arrays, in anchor order): the anchors of the
 * feature grid and the proposals, filtered with the config's test sizes, or its training sizes when `training`.
 */
export function rpnProposals(
  config: Pick<SegmenterConfig, 'rpn' | 'anchors'>,
  head: { objectness: Float32Array; deltas: Float32Array },
  featureHWs: readonly (readonly [number, number])[],
  { paddedHW, imageHW }: ImageSize,
  training = false,
): { anchors: Boxes; boxes: Boxes; scores: Float32Array } {
  const { anchors, numPerLevel } = anchorsFor(config.anchors, paddedHW, featureHWs);
  const proposals = filterRpnProposals(
    { anchors, objectness: head.objectness, deltas: head.deltas, numAnchorsPerLevel: numPerLevel, imageSize: imageHW },
    rpnFilterConfig(config.rpn, training),
  );
  return { anchors, ...proposals };
}

/**
 * RoIHeads at inference on the levels RoIAlign reads: the box head on the proposals' RoI features,
 * postprocess_detections (thresholds of the config unless `opts` sets them), then, unless `opts.withMasks` is
 * false, the mask head on the detections' RoI features and each detection's own-class probabilities.
 */
export function* roiHeadsFlow(
  config: Pick<SegmenterConfig, 'roiHeads' | 'maskHead' | 'classNames'>,
  roiLevels: readonly FeatureLevel[],
  proposals: Boxes,
  imageHW: [number, number],
  opts: DetectOptions = {},
): Flow {
  const numClasses = config.classNames.length + 1;
  const rh = config.roiHeads;
  const count = proposals.length / 4;
  const boxFeatures = multiScaleRoiAlignArrays(roiLevels, proposals, imageHW, { outputSize: rh.boxRoiSize, samplingRatio: rh.samplingRatio });
  const box = (yield { head: 'box', roiFeatures: boxFeatures, count }) as Extract<HeadResult, { classLogits: Float32Array }>;
  const det = postprocessDetections({ proposals, classLogits: box.classLogits, boxRegression: box.boxRegression, imageSize: imageHW }, detectionConfig(rh, opts));
  const out: RawDetections = { ...det, classLogits: box.classLogits, boxRegression: box.boxRegression, numClasses };
  const d = det.scores.length;
  if (opts.withMasks !== false && d > 0) {
    const maskFeatures = multiScaleRoiAlignArrays(roiLevels, det.boxes, imageHW, { outputSize: config.maskHead.roiSize, samplingRatio: rh.samplingRatio });
    const mask = (yield { head: 'mask', roiFeatures: maskFeatures, count: d }) as Extract<HeadResult, { maskProbs: Float32Array }>;
    out.maskProbs = ownClassMasks(mask.maskProbs, det.labels, numClasses);
  }
  return out;
}

/** The whole inference from a dense network's outputs (backbone + FPN + RPN head in one graph: onnxruntime). */
export function* detectionFlow(config: SegmenterConfig, dense: DenseOutputs, sizes: ImageSize, opts: DetectOptions = {}): Flow {
  const proposals = rpnProposals(config, dense, dense.levels.map((l) => [l.height, l.width] as const), sizes).boxes;
  return yield* roiHeadsFlow(config, dense.levels.slice(0, config.backbone.fpnStages.length), proposals, sizes.imageHW, opts);
}

const answer = (heads: Heads, r: HeadRequest): HeadResult =>
  r.head === 'box' ? heads.box(r.roiFeatures, r.count) : { maskProbs: heads.mask(r.roiFeatures, r.count) };

export function driveSync(flow: Flow, heads: Heads): RawDetections {
  let step = flow.next();
  while (!step.done) step = flow.next(answer(heads, step.value));
  return step.value;
}

export async function driveAsync(flow: Flow, heads: AsyncHeads): Promise<RawDetections> {
  let step = flow.next();
  while (!step.done) {
    const r = step.value;
    step = flow.next(r.head === 'box' ? await heads.box(r.roiFeatures, r.count) : { maskProbs: await heads.mask(r.roiFeatures, r.count) });
  }
  return step.value;
}
