/**
 * Region Proposal Network (torchvision rpn.py): RPNHead (3×3 conv + ReLU, 1×1 objectness with A
 * channels, 1×1 deltas with 4A), and the RPN's training targets from the config. Proposal filtering
 * is postprocess.filterRpnProposals; the losses are losses.rpnLoss.
 */
import * as tf from '@tensorflow/tfjs';
import { flattenRpnHead } from './anchors';
import type { Boxes } from './boxOps';
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

export type RpnTargets = ReturnType<typeof selectRpnTrainingSamples>;

/** Anchor labels (matcher fg/bg from the config, low-quality matches on), encoded targets and the fg/bg sample. */
export function rpnTargets(anchors: Boxes, gtBoxes: Boxes, cfg: RpnConfig, rng: Rng): RpnTargets {
  const t = selectRpnTrainingSamples(anchors, gtBoxes, balancedSampler(cfg.batchSizePerImage, cfg.positiveFraction, rng), {
    matcher: { highThreshold: cfg.fgIouThresh, lowThreshold: cfg.bgIouThresh, allowLowQualityMatches: true },
    boxWeights: cfg.boxWeights,
  });
  // The paper's anchors include zero-height ones (e.g. size 2, ratio 0.1), whose encoded targets are
  // ±∞. torchvision never reads targets of non-positive anchors; rpnLoss masks densely (0·∞ = NaN), so
  // keep only the positives' targets, and zero any that are still not finite.
  const keep = new Uint8Array(t.labels.length);
  for (const i of t.positive) keep[i] = 1;
  const rt = t.regressionTargets;
  for (let a = 0; a < keep.length; a++) {
    for (let k = 4 * a; k < 4 * a + 4; k++) if (!keep[a] || !Number.isFinite(rt[k])) rt[k] = 0;
  }
  return t;
}
