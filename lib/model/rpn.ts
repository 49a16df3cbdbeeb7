/**
 * Region Proposal Network (torchvision rpn.py): RPNHead (3×3 conv + ReLU, 1×1 objectness with A
 * channels, 1×1 deltas with 4A) and the non-differentiable parts of RegionProposalNetwork on typed
 * arrays: per-level top-n, decode, clip, remove small, NMS per level, post-NMS top-n; anchor target
 * assignment and sampling for the two RPN losses.
 */
import * as tf from '@tensorflow/tfjs';
import { flattenRpnHead } from './anchors';
import { decodeBoxes } from './boxCoder';
import { argsortDescending, batchedNms, clipBoxesToImage, removeSmallBoxes, selectBoxes, type Boxes } from './boxOps';
import type { SegmenterConfig } from './config';
import { conv2d, type ParamStore } from './layers';
import type { Rng } from './random';
import { balancedSampler, selectRpnTrainingSamples } from './sampler';

type RpnConfig = SegmenterConfig['rpn'];

export interface RpnHeadOutput {
  /** [1, totalAnchors] logits, in anchor order. */
  objectness: tf.Tensor2D;
  /** [1, totalAnchors, 4] encoded deltas (weights rpn.boxWeights). */
  deltas: tf.Tensor3D;
}

export function createRpnHead(ps: ParamStore, channels: number, numAnchors: number): (features: tf.Tensor4D[]) => RpnHeadOutput {
  const std01 = { kind: 'normal' as const, std: 0.01 };
  const conv = conv2d(ps, 'rpn.head.conv', { cin: channels, cout: channels, k: 3, bias: true, init: std01 });
  const cls = conv2d(ps, 'rpn.head.cls_logits', { cin: channels, cout: numAnchors, k: 1, bias: true, init: std01 });
  const bbox = conv2d(ps, 'rpn.head.bbox_pred', { cin: channels, cout: 4 * numAnchors, k: 1, bias: true, init: std01 });
  return (features) => tf.tidy(() => {
    const t = features.map((f) => conv(f, 'relu'));
    return flattenRpnHead(t.map((x) => cls(x)), t.map((x) => bbox(x)));
  });
}

export interface Proposals {
  boxes: Boxes;
  /** sigmoid(objectness) of each kept proposal. */
  scores: Float32Array;
}

/**
 * torchvision RegionProposalNetwork.filter_proposals for one image: top `preNmsTopN` anchors per level
 * by objectness, decode, clip to the (unpadded) image, drop tiny boxes, NMS within each level, keep
 * the best `postNmsTopN` overall.
 */
export function filterProposals(
  anchors: Boxes,
  numPerLevel: number[],
  objectness: Float32Array,
  deltas: Float32Array,
  imageHW: readonly [number, number],
  cfg: RpnConfig,
  training: boolean,
): Proposals {
  const preNms = training ? cfg.preNmsTopNTrain : cfg.preNmsTopNTest;
  const postNms = training ? cfg.postNmsTopNTrain : cfg.postNmsTopNTest;
  const picked: number[] = [];
  const levelOf: number[] = [];
  let offset = 0;
  numPerLevel.forEach((n, level) => {
    const idx = Int32Array.from({ length: n }, (_, i) => offset + i);
    const top = argsortDescending(objectness, idx).subarray(0, Math.min(preNms, n));
    for (const i of top) { picked.push(i); levelOf.push(level); }
    offset += n;
  });
  const pickedDeltas = new Float32Array(picked.length * 4);
  picked.forEach((a, k) => pickedDeltas.set(deltas.subarray(4 * a, 4 * a + 4), 4 * k));
  const boxes = clipBoxesToImage(decodeBoxes(pickedDeltas, selectBoxes(anchors, picked), cfg.boxWeights), imageHW);
  const scores = Float32Array.from(picked, (a) => 1 / (1 + Math.exp(-objectness[a])));
  const keepSmall = removeSmallBoxes(boxes, cfg.minBoxSize);
  const b1 = selectBoxes(boxes, keepSmall);
  const s1 = Float32Array.from(keepSmall, (i) => scores[i]);
  const l1 = Int32Array.from(keepSmall, (i) => levelOf[i]);
  const keep = batchedNms(b1, s1, l1, cfg.nmsThresh).subarray(0, postNms);
  return { boxes: selectBoxes(b1, keep), scores: Float32Array.from(keep, (i) => s1[i]) };
}

export type RpnTargets = ReturnType<typeof selectRpnTrainingSamples>;

/** Anchor labels (matcher fg/bg from the config, low-quality matches on), encoded targets and the fg/bg sample. */
export function rpnTargets(anchors: Boxes, gtBoxes: Boxes, cfg: RpnConfig, rng: Rng): RpnTargets {
  return selectRpnTrainingSamples(anchors, gtBoxes, balancedSampler(cfg.batchSizePerImage, cfg.positiveFraction, rng), {
    matcher: { highThreshold: cfg.fgIouThresh, lowThreshold: cfg.bgIouThresh, allowLowQualityMatches: true },
    boxWeights: cfg.boxWeights,
  });
}
