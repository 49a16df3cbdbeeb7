/**
 * Mask R-CNN for lesion segmentation (torchvision generalized_rcnn.py + mask_rcnn.py), batch 1, NHWC:
 * backbone → RPN → RoI box head → mask head. `lossTerms` runs the training forward pass and returns the
 * five losses (call it inside tf.variableGrads); `detect` runs inference. Every non-differentiable step
 * (anchor matching, proposal filtering, sampling, target assignment, NMS) runs on typed arrays between
 * the differentiable parts.
 */
import * as tf from '@tensorflow/tfjs';
import { createBackbone, type Backbone } from './backbones';
import { selectBoxes, type Boxes } from './boxOps';
import type { SegmenterConfig } from './config';
import type { Instances } from './data/instances';
import { ParamStore } from './layers';
import { fastrcnnLoss, rpnLoss } from './losses';
import { createMaskHead, type MaskHead } from './maskHead';
import { maskrcnnLoss, projectMasksOnBoxes } from './maskTargets';
import { anchorsFor, detectionConfig, detectionFlow, driveSync, rpnFilterConfig, type DenseOutputs } from './detectionFlow';
import { filterRpnProposals, postprocessDetections, type Detections } from './postprocess';
import { shuffled, type Rng } from './random';
import { createBoxHead, roiTrainingSamples, type BoxHeadOutput } from './roiHeads';
import { multiScaleRoiAlign } from './roiAlign';
import { createRpnHead, rpnTargets, type RpnHeadOutput } from './rpn';

/** One image ready for the network (after transform.ts). */
export interface ModelInput {
  /** [1, Hp, Wp, 3], normalised, zero-padded to a multiple of sizeDivisible. */
  image: tf.Tensor4D;
  /** Resized size before padding. */
  imageHW: [number, number];
}

export const LOSS_NAMES = ['loss_objectness', 'loss_rpn_box_reg', 'loss_classifier', 'loss_box_reg', 'loss_mask'] as const;
export type LossName = (typeof LOSS_NAMES)[number];
export type LossTerms = Record<LossName, tf.Scalar>;

export interface RawDetections {
  /** [D*4] in resized-image pixels. */
  boxes: Boxes;
  scores: Float32Array;
  /** 1-based class labels. */
  labels: Int32Array;
  /** Index of the proposal each detection came from. */
  sourceProposal: Int32Array;
  /** The box head outputs for all proposals (for classifier S's ranked features). */
  classLogits: Float32Array;
  boxRegression: Float32Array;
  numClasses: number;
  /** Mask probabilities [D, 28, 28] for each detection's own class (absent when masks were not asked). */
  maskProbs?: Float32Array;
}

export interface DetectOptions {
  scoreThresh?: number;
  nmsThresh?: number;
  detectionsPerImg?: number;
  withMasks?: boolean;
}

export class MaskRcnn {
  readonly ps: ParamStore;
  readonly numClasses: number;
  private readonly backbone: Backbone;
  private readonly rpnHead: (f: tf.Tensor4D[]) => RpnHeadOutput;
  private readonly boxHead: (x: tf.Tensor4D) => BoxHeadOutput;
  private readonly maskHead: MaskHead;

  constructor(readonly config: SegmenterConfig, seed = 0, ps?: ParamStore) {
    this.ps = ps ?? new ParamStore(seed);
    this.numClasses = config.classNames.length + 1;
    this.backbone = createBackbone(this.ps, config.backbone);
    const numAnchors = config.anchors.sizes[0].length * config.anchors.aspectRatios.length;
    if (config.anchors.sizes.some((s) => s.length !== config.anchors.sizes[0].length)) {
      throw new Error('anchors.sizes: every level needs the same number of sizes (one RPN head is shared)');
    }
    this.rpnHead = createRpnHead(this.ps, this.backbone.outChannels, numAnchors);
    this.boxHead = createBoxHead(this.ps, this.backbone.outChannels, config.roiHeads, this.numClasses);
    this.maskHead = createMaskHead(this.ps, this.backbone.outChannels, config.maskHead, this.numClasses);
  }

  /** Levels RoIAlign reads (without the RPN-only pool level). */
  private roiFeatures(feats: tf.Tensor4D[]): tf.Tensor4D[] {
    return feats.slice(0, this.backbone.roiLevels);
  }

  private anchors(paddedHW: [number, number], feats: tf.Tensor4D[]) {
    return anchorsFor(this.config.anchors, paddedHW, feats.map((f) => [f.shape[1], f.shape[2]] as [number, number]));
  }

  /** Training forward pass: the five losses of Mask R-CNN for one image and its instances. */
  lossTerms(input: ModelInput, targets: Instances, rng: Rng): LossTerms {
    const cfg = this.config;
    const feats = this.backbone.forward(input.image);
    const paddedHW: [number, number] = [input.image.shape[1], input.image.shape[2]];
    const { anchors, numPerLevel } = this.anchors(paddedHW, feats);
    const head = this.rpnHead(feats);
    const proposals = this.proposals(anchors, numPerLevel, head, input.imageHW, true);
    const rpnT = rpnTargets(anchors, targets.boxes, cfg.rpn, rng);
    const rpn = rpnLoss(tf.reshape(head.objectness, [-1]) as tf.Tensor1D, tf.reshape(head.deltas, [-1, 4]) as tf.Tensor2D, rpnT);

    const sampled = roiTrainingSamples(proposals.boxes, targets.boxes, targets.labels, cfg.roiHeads, rng);
    const boxFeatures = multiScaleRoiAlign(this.roiFeatures(feats), sampled.proposals, [input.imageHW], { outputSize: cfg.roiHeads.boxRoiSize, samplingRatio: cfg.roiHeads.samplingRatio });
    const box = this.boxHead(boxFeatures);
    const fast = fastrcnnLoss(box.classLogits, box.boxRegression, sampled.labels, sampled.regressionTargets);

    // Mask branch on the positive samples (a random subset of at most maxPositives: cost control).
    const positives = shuffled([...sampled.labels.keys()].filter((i) => sampled.labels[i] > 0), rng).slice(0, cfg.maskHead.maxPositives);
    let lossMask: tf.Scalar;
    if (positives.length > 0) {
      const posBoxes = selectBoxes(sampled.proposals, positives);
      const maskFeatures = multiScaleRoiAlign(this.roiFeatures(feats), posBoxes, [input.imageHW], { outputSize: cfg.maskHead.roiSize, samplingRatio: cfg.roiHeads.samplingRatio });
      const logits = this.maskHead(maskFeatures);
      const maskTargets = projectMasksOnBoxes(targets.masks, [targets.height, targets.width], posBoxes, Int32Array.from(positives, (i) => sampled.matchedIdxs[i]), cfg.maskHead.resolution);
      lossMask = maskrcnnLoss(logits, Int32Array.from(positives, (i) => sampled.labels[i]), maskTargets);
    } else {
      lossMask = tf.scalar(0);
    }
    return {
      loss_objectness: rpn.objectness,
      loss_rpn_box_reg: rpn.boxReg,
      loss_classifier: fast.classifier,
      loss_box_reg: fast.boxReg,
      loss_mask: lossMask,
    };
  }

  private proposals(anchors: Boxes, numPerLevel: number[], head: RpnHeadOutput, imageHW: [number, number], training: boolean) {
    return filterRpnProposals(
      { anchors, objectness: head.objectness.dataSync() as Float32Array, deltas: head.deltas.dataSync() as Float32Array, numAnchorsPerLevel: numPerLevel, imageSize: imageHW },
      rpnFilterConfig(this.config.rpn, training),
    );
  }

  /**
   * Inference up to the box head: features, test-time proposals and the box head outputs (tensors owned
   * by the caller's scope; differentiable, for classifier S in heads+bn / full mode).
   */
  boxStage(input: ModelInput): { feats: tf.Tensor4D[]; proposals: Boxes; box: BoxHeadOutput } {
    const cfg = this.config;
    const feats = this.backbone.forward(input.image);
    const { anchors, numPerLevel } = this.anchors([input.image.shape[1], input.image.shape[2]], feats);
    const proposals = this.proposals(anchors, numPerLevel, this.rpnHead(feats), input.imageHW, false).boxes;
    const boxFeatures = multiScaleRoiAlign(this.roiFeatures(feats), proposals, [input.imageHW], { outputSize: cfg.roiHeads.boxRoiSize, samplingRatio: cfg.roiHeads.samplingRatio });
    return { feats, proposals, box: this.boxHead(boxFeatures) };
  }

  /** RoIHeads.postprocess_detections on box head outputs (typed arrays). */
  postprocess(proposals: Boxes, classLogits: Float32Array, boxRegression: Float32Array, imageHW: [number, number], opts: DetectOptions = {}): Detections {
    return postprocessDetections({ proposals, classLogits, boxRegression, imageSize: imageHW }, detectionConfig(this.config.roiHeads, opts));
  }

  /**
   * Inference on one image. `scoreThresh` / `nmsThresh` / `detectionsPerImg` default to the config
   * (classifier S passes −0.01, 0.75, N). Masks are computed unless `withMasks` is false.
   */
  detect(input: ModelInput, opts: DetectOptions = {}): RawDetections {
    const cfg = this.config;
    // Everything returned is a typed array, so every tensor of this scope can go at the end.
    tf.engine().startScope();
    try {
      const feats = this.backbone.forward(input.image);
      const head = this.rpnHead(feats);
      const dense: DenseOutputs = {
        levels: feats.map((f) => ({ data: f.dataSync() as Float32Array, height: f.shape[1], width: f.shape[2], channels: f.shape[3] })),
        objectness: head.objectness.dataSync() as Float32Array,
        deltas: head.deltas.dataSync() as Float32Array,
      };
      const c = this.backbone.outChannels;
      const flow = detectionFlow(cfg, dense, { paddedHW: [input.image.shape[1], input.image.shape[2]], imageHW: input.imageHW }, opts);
      return driveSync(flow, {
        box: (roi, count) => {
          const s = cfg.roiHeads.boxRoiSize;
          const box = this.boxHead(tf.tensor4d(roi, [count, s, s, c]));
          return { classLogits: box.classLogits.dataSync() as Float32Array, boxRegression: box.boxRegression.dataSync() as Float32Array };
        },
        mask: (roi, count) => {
          const s = cfg.maskHead.roiSize;
          return tf.sigmoid(this.maskHead(tf.tensor4d(roi, [count, s, s, c]))).dataSync() as Float32Array;
        },
      });
    } finally {
      tf.engine().endScope();
    }
  }

  /**
   * A descriptor of the whole slice for core-set diversity (lib/al/kCenter.ts): the deepest RoI level of the
   * feature pyramid, averaged over the image.
   */
  embed(input: ModelInput): Float32Array {
    return tf.tidy(() => {
      const feats = this.roiFeatures(this.backbone.forward(input.image));
      return tf.mean(feats[feats.length - 1], [0, 1, 2]).dataSync() as Float32Array;
    });
  }

  dispose(): void {
    this.ps.dispose();
  }
}

