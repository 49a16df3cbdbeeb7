/**
 * Region Proposal Network (torchvision rpn.py): RPNHead (3×3 conv + ReLU, 1×1 objectness with A channels, 1×1
 * deltas with 4A) and the RegionProposalNetwork stage that owns its flow: the head, anchors and proposal filtering
 * (detectionFlow.rpnProposals, the one inference code of every backend) and, given targets, anchor matching,
 * sampling and the two losses (losses.rpnLoss). Every number comes from the config (rpn, anchors).
 */
import * as tf from '@tensorflow/tfjs';
import { flattenRpnHead } from './anchors';
import type { Boxes } from './boxOps';
import type { SegmenterConfig } from './config';
import type { Instances } from './data/instances';
import { conv2d, type ParamStore } from './layers';
import { rpnProposals } from './detectionFlow';
import { rpnLoss } from './losses';
import type { Rng } from './random';
import { balancedSampler, selectRpnTrainingSamples, type TargetOptions } from './sampler';

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

/** The RPN's anchor matching (fg/bg thresholds of the config, low-quality matches on) and box coding. */
export function rpnTargetOptions(cfg: RpnConfig): TargetOptions {
  return { matcher: { highThreshold: cfg.fgIouThresh, lowThreshold: cfg.bgIouThresh, allowLowQualityMatches: true }, boxWeights: cfg.boxWeights };
}

/** Anchor labels, encoded targets and the fg/bg sample. */
export function rpnTargets(anchors: Boxes, gtBoxes: Boxes, cfg: RpnConfig, rng: Rng): RpnTargets {
  const t = selectRpnTrainingSamples(anchors, gtBoxes, balancedSampler(cfg.batchSizePerImage, cfg.positiveFraction, rng), rpnTargetOptions(cfg));
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

/** torchvision's ImageList for one image: the padded size the features were computed on, and the image's own. */
export interface ImageSize {
  /** [H, W] of the zero-padded network input (anchor strides follow it). */
  paddedHW: [number, number];
  /** [H, W] of the resized image before padding (proposals and detections are clipped to it). */
  imageHW: [number, number];
}

/**
 * What the training forward pass needs beyond the image: its instances, and the random stream the samplers draw
 * from (the RPN draws first, then the RoI heads: the order is part of a seeded run).
 */
export interface TrainingTargets {
  instances: Instances;
  rng: Rng;
}

export interface RpnLosses {
  loss_objectness: tf.Scalar;
  loss_rpn_box_reg: tf.Scalar;
}

export interface Rpn {
  /**
   * Proposals for one image (training sizes of the config with targets, test sizes without), and with targets
   * the RPN's two losses (a lesion-free image: every sampled anchor is background, no box loss).
   */
  forward(features: tf.Tensor4D[], imageSize: ImageSize, targets?: TrainingTargets): { results: { proposals: Boxes; scores: Float32Array }; losses: Partial<RpnLosses> };
}

/** torchvision RegionProposalNetwork over the config's anchors and rpn settings. */
export function createRpn(ps: ParamStore, cfg: Pick<SegmenterConfig, 'rpn' | 'anchors'>, inChannels: number): Rpn {
  const { sizes, aspectRatios } = cfg.anchors;
  if (sizes.some((s) => s.length !== sizes[0].length)) {
    throw new Error('anchors.sizes: every level needs the same number of sizes (one RPN head is shared)');
  }
  const head = createRpnHead(ps, inChannels, sizes[0].length * aspectRatios.length);
  return {
    forward(features, imageSize, targets) {
      const out = head(features);
      const featureHWs = features.map((f) => [f.shape[1], f.shape[2]] as const);
      const { anchors, boxes, scores } = rpnProposals(
        cfg, { objectness: out.objectness.dataSync() as Float32Array, deltas: out.deltas.dataSync() as Float32Array }, featureHWs, imageSize, targets !== undefined,
      );
      const results = { proposals: boxes, scores };
      if (!targets) return { results, losses: {} };
      const t = rpnTargets(anchors, targets.instances.boxes, cfg.rpn, targets.rng);
      const loss = rpnLoss(tf.reshape(out.objectness, [-1]) as tf.Tensor1D, tf.reshape(out.deltas, [-1, 4]) as tf.Tensor2D, t);
      return { results, losses: { loss_objectness: loss.objectness, loss_rpn_box_reg: loss.boxReg } };
    },
  };
}
