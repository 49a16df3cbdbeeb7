/**
 * Mask R-CNN for lesion segmentation (torchvision generalized_rcnn.py + mask_rcnn.py), batch 1, NHWC: only
 * composes the stages, backbone → RPN (rpn.ts, createRpn) → RoI heads with the mask branch (roiHeads.ts,
 * createRoiHeads), each of which owns its flow and reads its settings from the config. `lossTerms` runs the
 * training forward pass and returns the five losses (call it inside tf.variableGrads); `detect` runs inference,
 * whose post-processing between the networks is detectionFlow.ts's (the stages run it without targets), the same
 * code onnxruntime's OnnxSegmenter runs. Every non-differentiable step (anchor matching, proposal filtering,
 * sampling, target assignment, NMS) runs on typed arrays between the differentiable parts.
 */
import * as tf from '@tensorflow/tfjs';
import { createBackbone, type Backbone } from './backbones';
import type { Boxes } from './boxOps';
import type { SegmenterConfig } from './config';
import type { Instances } from './data/instances';
import { ParamStore } from './layers';
import type { Detections } from './postprocess';
import type { Rng } from './random';
import { createRoiHeads, type BoxHeadOutput, type DetectOptions, type RawDetections, type RoiHeads } from './roiHeads';
import { createRpn, type ImageSize, type Rpn } from './rpn';

export type { DetectOptions, RawDetections } from './roiHeads';

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

export class MaskRcnn {
  readonly ps: ParamStore;
  readonly numClasses: number;
  private readonly backbone: Backbone;
  private readonly rpn: Rpn;
  private readonly roiHeads: RoiHeads;

  constructor(readonly config: SegmenterConfig, seed = 0, ps?: ParamStore) {
    this.ps = ps ?? new ParamStore(seed);
    this.numClasses = config.classNames.length + 1;
    // creation order is the order of the seeded initial weights: backbone, RPN, box head, mask head
    this.backbone = createBackbone(this.ps, config.backbone);
    this.rpn = createRpn(this.ps, config, this.backbone.outChannels);
    this.roiHeads = createRoiHeads(this.ps, config, this.backbone.outChannels);
  }

  /** Levels RoIAlign reads (without the RPN-only pool level). */
  private roiFeatures(feats: tf.Tensor4D[]): tf.Tensor4D[] {
    return feats.slice(0, this.backbone.roiLevels);
  }

  private imageSize(input: ModelInput): ImageSize {
    return { paddedHW: [input.image.shape[1], input.image.shape[2]], imageHW: input.imageHW };
  }

  /**
   * Training forward pass: the five losses of Mask R-CNN for one image and its instances (none: a lesion-free
   * slice, whose samples are all background).
   */
  lossTerms(input: ModelInput, targets: Instances, rng: Rng): LossTerms {
    const feats = this.backbone.forward(input.image);
    const training = { instances: targets, rng };
    const rpn = this.rpn.forward(feats, this.imageSize(input), training);
    const heads = this.roiHeads.forward(this.roiFeatures(feats), rpn.results.proposals, input.imageHW, training);
    const losses: Partial<LossTerms> = { ...rpn.losses, ...heads.losses };
    for (const name of LOSS_NAMES) if (!losses[name]) throw new Error(`Mask R-CNN: the training pass gave no ${name}`);
    return losses as LossTerms;
  }

  /**
   * Inference up to the box head: features, test-time proposals and the box head outputs (tensors owned
   * by the caller's scope; differentiable, for classifier S in heads+bn / full mode).
   */
  boxStage(input: ModelInput): { feats: tf.Tensor4D[]; proposals: Boxes; box: BoxHeadOutput } {
    const feats = this.backbone.forward(input.image);
    const proposals = this.rpn.forward(feats, this.imageSize(input)).results.proposals;
    return { feats, proposals, box: this.roiHeads.boxOutputs(this.roiFeatures(feats), proposals, input.imageHW) };
  }

  /** RoIHeads.postprocess_detections on box head outputs (typed arrays). */
  postprocess(proposals: Boxes, classLogits: Float32Array, boxRegression: Float32Array, imageHW: [number, number], opts: DetectOptions = {}): Detections {
    return this.roiHeads.postprocess(proposals, classLogits, boxRegression, imageHW, opts);
  }

  /**
   * Inference on one image. `scoreThresh` / `nmsThresh` / `detectionsPerImg` default to the config
   * (classifier S passes −0.01, 0.75, N). Masks are computed unless `withMasks` is false.
   */
  detect(input: ModelInput, opts: DetectOptions = {}): RawDetections {
    // Everything returned is a typed array, so every tensor of this scope can go at the end.
    tf.engine().startScope();
    try {
      const feats = this.backbone.forward(input.image);
      const { proposals } = this.rpn.forward(feats, this.imageSize(input)).results;
      return this.roiHeads.forward(this.roiFeatures(feats), proposals, input.imageHW, undefined, opts).results!;
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
