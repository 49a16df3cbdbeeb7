/**
 * RoI heads (torchvision roi_heads.py): box head (TwoMLPHead), box predictor (class logits + class-specific
 * deltas), proposal sampling with target assignment, and the mask branch's targets. Networks are
 * explicit forward functions; matching, sampling and target encoding run on typed arrays outside the tape.
 */
import * as tf from '@tensorflow/tfjs';
import type { Boxes } from './boxOps';
import type { SegmenterConfig } from './config';
import { linear, type ParamStore } from './layers';
import type { Rng } from './random';
import { balancedSampler, selectRoiTrainingSamples } from './sampler';

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

/**
 * select_training_samples for one image: gt boxes join the proposals, matched with the config's fg/bg
 * thresholds (no low-quality matches), batchSizePerImage sampled with positiveFraction, targets encoded.
 */
export function roiTrainingSamples(proposals: Boxes, gtBoxes: Boxes, gtLabels: Int32Array, cfg: RoiConfig, rng: Rng): SampledRois {
  return selectRoiTrainingSamples(proposals, gtBoxes, gtLabels, balancedSampler(cfg.batchSizePerImage, cfg.positiveFraction, rng), {
    matcher: { highThreshold: cfg.fgIouThresh, lowThreshold: cfg.bgIouThresh, allowLowQualityMatches: false },
    boxWeights: cfg.boxWeights,
  });
}
