/**
 * RoI heads (torchvision roi_heads.py): the box head (TwoMLPHead), box predictor (class logits + class-specific
 * deltas), the mask branch (maskHead.ts), and the RoIHeads stage that owns their flow: given targets, RoIAlign of
 * the proposals (its parameters set here once, for the box and the mask pooler), proposal sampling with target
 * assignment and the box and mask losses; without, detectionFlow.roiHeadsFlow (the one inference code of every
 * backend: RoIAlign on arrays, postprocess_detections, own-class masks) driven by this stage's heads. Networks are
 * explicit forward functions; matching, sampling and target encoding run on typed arrays outside the tape. Every
 * number comes from the config (roiHeads, maskHead).
 */
import * as tf from '@tensorflow/tfjs';
import { selectBoxes, type Boxes } from './boxOps';
import type { SegmenterConfig } from './config';
import { linear, type ParamStore } from './layers';
import { fastrcnnLoss } from './losses';
import { createMaskHead } from './maskHead';
import { maskrcnnLoss, projectMasksOnBoxes } from './maskTargets';
import { detectionConfig, driveSync, roiHeadsFlow } from './detectionFlow';
import { postprocessDetections, type Detections } from './postprocess';
import { shuffled, type Rng } from './random';
import { multiScaleRoiAlign } from './roiAlign';
import type { TrainingTargets } from './rpn';
import { balancedSampler, selectRoiTrainingSamples, type TargetOptions } from './sampler';

type RoiConfig = SegmenterConfig['roiHeads'];

export interface BoxHeadOutput {
  /** [R, K] with K = classes including background. */
  classLogits: tf.Tensor2D;
  /** [R, 4K] class-specific encoded deltas (weights roiHeads.boxWeights). */
  boxRegression: tf.Tensor2D;
}

/** TwoMLPHead (flatten → FC → ReLU → FC → ReLU) + FastRCNNPredictor. Input [R, S, S, C]. */
export function createBoxHead(ps: ParamStore, inChannels: number, cfg: RoiConfig, numClasses: number): (roiFeatures: tf.Tensor4D) => BoxHeadOutput {
  const inF = inChannels * cfg.boxRoiSize * cfg.boxRoiSize;
  const fc6 = linear(ps, 'roi_heads.box_head.fc6', inF, cfg.representationSize);
  const fc7 = linear(ps, 'roi_heads.box_head.fc7', cfg.representationSize, cfg.representationSize);
  const cls = linear(ps, 'roi_heads.box_predictor.cls_score', cfg.representationSize, numClasses);
  const bbox = linear(ps, 'roi_heads.box_predictor.bbox_pred', cfg.representationSize, 4 * numClasses);
  return (x) => tf.tidy(() => {
    const h = fc7(fc6(tf.reshape(x, [x.shape[0], inF]), 'relu'), 'relu');
    return { classLogits: cls(h), boxRegression: bbox(h) };
  });
}

export type SampledRois = ReturnType<typeof selectRoiTrainingSamples>;

/** The RoI heads' proposal matching (fg/bg thresholds of the config, no low-quality matches) and box coding. */
export function roiTargetOptions(cfg: RoiConfig): TargetOptions {
  return { matcher: { highThreshold: cfg.fgIouThresh, lowThreshold: cfg.bgIouThresh, allowLowQualityMatches: false }, boxWeights: cfg.boxWeights };
}

/**
 * select_training_samples for one image: gt boxes join the proposals, matched and encoded with roiTargetOptions,
 * batchSizePerImage sampled with positiveFraction.
 */
export function roiTrainingSamples(proposals: Boxes, gtBoxes: Boxes, gtLabels: Int32Array, cfg: RoiConfig, rng: Rng): SampledRois {
  return selectRoiTrainingSamples(proposals, gtBoxes, gtLabels, balancedSampler(cfg.batchSizePerImage, cfg.positiveFraction, rng), roiTargetOptions(cfg));
}

export interface RoiLosses {
  loss_classifier: tf.Scalar;
  loss_box_reg: tf.Scalar;
  loss_mask: tf.Scalar;
}

/** Thresholds of postprocess_detections; each defaults to the config's roiHeads value. */
export interface DetectOptions {
  scoreThresh?: number;
  nmsThresh?: number;
  detectionsPerImg?: number;
  /** Mask probabilities for the detections (default true). */
  withMasks?: boolean;
}

/** RoIHeads' detections at inference (what MaskRcnn.detect and OnnxSegmenter.detect return). */
export interface RawDetections extends Detections {
  /** The box head outputs for all proposals (for classifier S's ranked features). */
  classLogits: Float32Array;
  boxRegression: Float32Array;
  numClasses: number;
  /** Mask probabilities [D, M, M] for each detection's own class (absent when masks were not asked). */
  maskProbs?: Float32Array;
}

export interface RoiHeads {
  /**
   * With targets: samples the proposals against the instances and returns the box and mask losses (a lesion-free
   * image: every sample is background, no box or mask loss). Without: detections with their mask probabilities.
   * `features` are the levels RoIAlign reads; `imageHW` the resized image before padding.
   */
  forward(features: tf.Tensor4D[], proposals: Boxes, imageHW: [number, number], targets?: TrainingTargets, opts?: DetectOptions): { results: RawDetections | null; losses: Partial<RoiLosses> };
  /** The box head over proposals (tensors, differentiable: classifier S trains through them). */
  boxOutputs(features: tf.Tensor4D[], proposals: Boxes, imageHW: [number, number]): BoxHeadOutput;
  /** postprocess_detections on box head outputs (typed arrays). */
  postprocess(proposals: Boxes, classLogits: Float32Array, boxRegression: Float32Array, imageHW: [number, number], opts?: DetectOptions): Detections;
}

/** torchvision RoIHeads with its mask branch, over the config's roiHeads and maskHead settings. */
export function createRoiHeads(ps: ParamStore, cfg: Pick<SegmenterConfig, 'roiHeads' | 'maskHead' | 'classNames'>, inChannels: number): RoiHeads {
  const r = cfg.roiHeads;
  const numClasses = cfg.classNames.length + 1;
  const boxHead = createBoxHead(ps, inChannels, r, numClasses);
  const maskHead = createMaskHead(ps, inChannels, cfg.maskHead, numClasses);
  // box_roi_pool and mask_roi_pool: one sampling ratio, each head's own output size
  const pool = (outputSize: number) => (features: tf.Tensor4D[], boxes: Boxes, imageHW: [number, number]) =>
    multiScaleRoiAlign(features, boxes, [imageHW], { outputSize, samplingRatio: r.samplingRatio });
  const boxRoiPool = pool(r.boxRoiSize);
  const maskRoiPool = pool(cfg.maskHead.roiSize);

  const boxOutputs = (features: tf.Tensor4D[], proposals: Boxes, imageHW: [number, number]) => boxHead(boxRoiPool(features, proposals, imageHW));
  const postprocess = (proposals: Boxes, classLogits: Float32Array, boxRegression: Float32Array, imageHW: [number, number], opts: DetectOptions = {}) =>
    postprocessDetections({ proposals, classLogits, boxRegression, imageSize: imageHW }, detectionConfig(r, opts));

  function trainingLosses(features: tf.Tensor4D[], proposals: Boxes, imageHW: [number, number], { instances, rng }: TrainingTargets): RoiLosses {
    const sampled = roiTrainingSamples(proposals, instances.boxes, instances.labels, r, rng);
    const box = boxHead(boxRoiPool(features, sampled.proposals, imageHW));
    const fast = fastrcnnLoss(box.classLogits, box.boxRegression, sampled.labels, sampled.regressionTargets);
    // Mask branch on the positive samples (a random subset of at most maxPositives: cost control). A lesion-free
    // image has none: the mask loss is 0, as torchvision's for an image without targets.
    const positives = shuffled([...sampled.labels.keys()].filter((i) => sampled.labels[i] > 0), rng).slice(0, cfg.maskHead.maxPositives);
    let lossMask: tf.Scalar;
    if (positives.length > 0) {
      const posBoxes = selectBoxes(sampled.proposals, positives);
      const logits = maskHead(maskRoiPool(features, posBoxes, imageHW));
      const maskTargets = projectMasksOnBoxes(instances.masks, [instances.height, instances.width], posBoxes, Int32Array.from(positives, (i) => sampled.matchedIdxs[i]), cfg.maskHead.resolution);
      lossMask = maskrcnnLoss(logits, Int32Array.from(positives, (i) => sampled.labels[i]), maskTargets);
    } else {
      lossMask = tf.scalar(0);
    }
    return { loss_classifier: fast.classifier, loss_box_reg: fast.boxReg, loss_mask: lossMask };
  }

  /** Inference: detectionFlow's RoI heads with this stage's heads answering its requests. */
  function detect(features: tf.Tensor4D[], proposals: Boxes, imageHW: [number, number], opts: DetectOptions = {}): RawDetections {
    const levels = features.map((f) => ({ data: f.dataSync() as Float32Array, height: f.shape[1], width: f.shape[2], channels: f.shape[3] }));
    const roiTensor = (roi: Float32Array, count: number, size: number) => tf.tensor4d(roi, [count, size, size, inChannels]);
    return driveSync(roiHeadsFlow(cfg, levels, proposals, imageHW, opts), {
      box: (roi, count) => tf.tidy(() => {
        const box = boxHead(roiTensor(roi, count, r.boxRoiSize));
        return { classLogits: box.classLogits.dataSync() as Float32Array, boxRegression: box.boxRegression.dataSync() as Float32Array };
      }),
      mask: (roi, count) => tf.tidy(() => tf.sigmoid(maskHead(roiTensor(roi, count, cfg.maskHead.roiSize))).dataSync() as Float32Array),
    });
  }

  return {
    forward(features, proposals, imageHW, targets, opts) {
      if (targets) return { results: null, losses: trainingLosses(features, proposals, imageHW, targets) };
      return { results: detect(features, proposals, imageHW, opts), losses: {} };
    },
    boxOutputs,
    postprocess,
  };
}
