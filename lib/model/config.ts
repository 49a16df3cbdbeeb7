/**
 * Model configuration: every hyper-parameter of the segmenter (Mask R-CNN) and of classifier S,
 * with the paper's values as defaults (model-spec.md) and three presets. The whole object is saved
 * beside the weights (io.ts), so a model directory always says how it was built.
 */
import { z } from 'zod';
import { augmentSpecSchema } from './data/augment';
import { lrScheduleSchema } from './train/schedule';

export const MASK_TYPES = ['both', 'merge', 'ggo'] as const;
export type MaskType = (typeof MASK_TYPES)[number];
export const PRESETS = ['tiny', 'light', 'full'] as const;
export type PresetName = (typeof PRESETS)[number];

/** Foreground class names per mask type; index 0 is always background. */
export function classNamesFor(maskType: MaskType): string[] {
  if (maskType === 'both') return ['GGO', 'C'];
  if (maskType === 'merge') return ['lesion'];
  return ['GGO'];
}

const vec4 = z.tuple([z.number(), z.number(), z.number(), z.number()]);

export const transformSchema = z.object({
  minSize: z.number().int().positive(),
  maxSize: z.number().int().positive(),
  imageMean: z.tuple([z.number(), z.number(), z.number()]),
  imageStd: z.tuple([z.number(), z.number(), z.number()]),
  sizeDivisible: z.number().int().positive(),
});

export const backboneSchema = z.object({
  /** tiny: narrow ResNet-like trunk; resnet18 / resnet50: torchvision layouts. */
  kind: z.enum(['tiny', 'resnet18', 'resnet50']),
  /** Channels of stem, then of each residual stage used. */
  stemChannels: z.number().int().positive(),
  stageChannels: z.array(z.number().int().positive()).min(1),
  /** Residual blocks per stage. */
  stageBlocks: z.array(z.number().int().positive()).min(1),
  /** Stride of each stage's first block. */
  stageStrides: z.array(z.number().int().positive()).min(1),
  /** Which stages feed the FPN (indices into stages); one entry = one FPN level. */
  fpnStages: z.array(z.number().int().nonnegative()).min(1),
  outChannels: z.number().int().positive(),
  /** torchvision's LastLevelMaxPool: one more (stride ×2) level for the RPN only. */
  fpnExtraPool: z.boolean().default(false),
  /** GroupNorm groups: batch norm is useless at batch 1 when training from scratch. */
  normGroups: z.number().int().positive(),
});

export const anchorSchema = z.object({
  /** One list of sizes per feature level (paper: (2,4,8,16,32) on a single level). */
  sizes: z.array(z.array(z.number().positive()).min(1)).min(1),
  /** Height / width ratios. */
  aspectRatios: z.array(z.number().positive()).min(1),
});

export const rpnSchema = z.object({
  preNmsTopNTrain: z.number().int().positive(),
  preNmsTopNTest: z.number().int().positive(),
  postNmsTopNTrain: z.number().int().positive(),
  postNmsTopNTest: z.number().int().positive(),
  nmsThresh: z.number(),
  fgIouThresh: z.number(),
  bgIouThresh: z.number(),
  batchSizePerImage: z.number().int().positive(),
  positiveFraction: z.number().gt(0).lte(1),
  boxWeights: vec4,
  /** Proposals with a side below this (pixels) are dropped. */
  minBoxSize: z.number().nonnegative(),
});

export const roiHeadsSchema = z.object({
  boxRoiSize: z.number().int().positive(),
  samplingRatio: z.number().int(),
  representationSize: z.number().int().positive(),
  fgIouThresh: z.number(),
  bgIouThresh: z.number(),
  batchSizePerImage: z.number().int().positive(),
  positiveFraction: z.number().gt(0).lte(1),
  boxWeights: vec4,
  scoreThresh: z.number(),
  nmsThresh: z.number(),
  detectionsPerImg: z.number().int().positive(),
});

export const maskHeadSchema = z.object({
  roiSize: z.number().int().positive(),
  layers: z.array(z.number().int().positive()).min(1),
  /** Output resolution = 2 × roiSize (one stride-2 transposed conv). */
  resolution: z.number().int().positive(),
  /** Cap on positive RoIs that go through the mask head per training step (cost control). */
  maxPositives: z.number().int().positive(),
  maskThresh: z.number(),
});

export const segmenterConfigSchema = z.object({
  kind: z.literal('segmenter'),
  preset: z.enum(PRESETS),
  maskType: z.enum(MASK_TYPES),
  /** Foreground class names, in label order (label k+1 = classNames[k]). */
  classNames: z.array(z.string()).min(1),
  transform: transformSchema,
  backbone: backboneSchema,
  anchors: anchorSchema,
  rpn: rpnSchema,
  roiHeads: roiHeadsSchema,
  maskHead: maskHeadSchema,
  /** Instances (connected components) smaller than this many pixels (original image) are ignored. */
  minInstanceArea: z.number().int().nonnegative(),
});
export type SegmenterConfig = z.infer<typeof segmenterConfigSchema>;

export const classifierConfigSchema = z.object({
  kind: z.literal('classifier'),
  /** Slice classes, e.g. ['COVID', 'non-COVID'] or the paper's ['Normal', 'CP', 'COVID']. */
  classNames: z.array(z.string()).min(2),
  /** Number of ranked detections fed to S (paper: 256; 128 in the lightweight example). */
  rankedN: z.number().int().positive(),
  hiddenUnits: z.number().int().positive(),
  /** Trunk settings while producing S's input: every box survives (paper: −0.01, NMS 0.75). */
  scoreThresh: z.number(),
  nmsThresh: z.number(),
  mode: z.enum(['heads', 'heads+bn', 'full']),
  segmenter: segmenterConfigSchema,
});
export type ClassifierConfig = z.infer<typeof classifierConfigSchema>;

export const trainOptionsSchema = z.object({
  seed: z.number().int(),
  /** Peak learning rate (after warm-up). */
  lr: z.number().positive(),
  schedule: lrScheduleSchema,
  weightDecay: z.number().nonnegative(),
  /** 'decoupled' = AdamW (decay applied to weights directly); 'l2' = torch.optim.Adam's L2 term. */
  weightDecayMode: z.enum(['decoupled', 'l2']),
  epochs: z.number().int().positive().optional(),
  maxSteps: z.number().int().positive().optional(),
  /** CPU seconds of the training process (train/loop.ts). */
  timeBudgetS: z.number().positive().optional(),
  /** true = DEFAULT_AUGMENT, false = none, or a spec. */
  augment: z.union([z.boolean(), augmentSpecSchema]),
});
export type TrainOptions = z.infer<typeof trainOptionsSchema>;

const IMAGENET = { imageMean: [0.485, 0.456, 0.406] as [number, number, number], imageStd: [0.229, 0.224, 0.225] as [number, number, number] };

/** Paper values (model-spec.md) shared by every preset. */
function paperHeads(): Pick<SegmenterConfig, 'anchors' | 'rpn' | 'roiHeads'> {
  return {
    anchors: { sizes: [[2, 4, 8, 16, 32]], aspectRatios: [0.1, 0.25, 0.5, 1, 1.5, 2] },
    rpn: {
      preNmsTopNTrain: 2000, preNmsTopNTest: 1000, postNmsTopNTrain: 2000, postNmsTopNTest: 1000,
      nmsThresh: 0.75, fgIouThresh: 0.7, bgIouThresh: 0.3, batchSizePerImage: 256, positiveFraction: 0.75,
      boxWeights: [1, 1, 1, 1], minBoxSize: 1e-3,
    },
    roiHeads: {
      boxRoiSize: 7, samplingRatio: 2, representationSize: 128, fgIouThresh: 0.75, bgIouThresh: 0.5,
      batchSizePerImage: 256, positiveFraction: 0.75, boxWeights: [10, 10, 5, 5], scoreThresh: 0.05,
      nmsThresh: 0.75, detectionsPerImg: 100,
    },
  };
}

/**
 * Presets. `tiny` is the CPU default (CI, product on wasm): short side 256, a narrow 3-stage trunk at
 * stride 8 (small lesions need a finer grid at 256 px; the last stage keeps stride 8 to widen the receptive field), and fewer proposals than the paper
 * (pre/post-NMS 1000/500 in training, 500/300 at test; 128 RoIs sampled) so a training step stays well
 * under a second on one core. Its anchors and RoI matching follow the data rather than the paper: at 256 px
 * lesion boxes measure 5–150 px (median 14–18, 90th percentile 41–87 px on the Zenodo and MedSeg sets), so
 * sizes 8–128 with ratios 0.5–2 replace 2–32 with ratios 0.1–2 (anchors of 2 and 4 px on a stride-8 grid
 * never match, and lesions above 32 px had no anchor), and a proposal counts as a lesion from IoU 0.5
 * (torchvision's default) instead of 0.75, which left the box and mask heads few positives to learn from.
 * Measured on the development split: Zenodo mask AP@0.5 0.027 → 0.133 after 15 CPU-minutes from scratch.
 * `light` and `full` follow model-spec.md.
 */
export function presetConfig(preset: PresetName, maskType: MaskType = 'both'): SegmenterConfig {
  const heads = paperHeads();
  const common = { kind: 'segmenter' as const, preset, maskType, classNames: classNamesFor(maskType), minInstanceArea: 4 };
  if (preset === 'tiny') {
    return {
      ...common,
      transform: { minSize: 256, maxSize: 512, sizeDivisible: 32, ...IMAGENET },
      backbone: {
        kind: 'tiny', stemChannels: 16, stageChannels: [32, 48, 64], stageBlocks: [1, 1, 1],
        stageStrides: [2, 2, 1], fpnStages: [2], outChannels: 64, fpnExtraPool: false, normGroups: 8,
      },
      anchors: { sizes: [[8, 16, 32, 64, 128]], aspectRatios: [0.5, 1, 2] },
      rpn: { ...heads.rpn, preNmsTopNTrain: 1000, preNmsTopNTest: 500, postNmsTopNTrain: 500, postNmsTopNTest: 300 },
      roiHeads: { ...heads.roiHeads, batchSizePerImage: 128, fgIouThresh: 0.5 },
      maskHead: { roiSize: 14, layers: [32, 32, 32, 32], resolution: 28, maxPositives: 48, maskThresh: 0.5 },
    };
  }
  if (preset === 'light') {
    return {
      ...common,
      transform: { minSize: 512, maxSize: 1024, sizeDivisible: 32, ...IMAGENET },
      backbone: {
        kind: 'resnet18', stemChannels: 64, stageChannels: [64, 128, 256], stageBlocks: [2, 2, 2],
        stageStrides: [1, 2, 2], fpnStages: [2], outChannels: 256, fpnExtraPool: false, normGroups: 32,
      },
      ...heads,
      maskHead: { roiSize: 14, layers: [128, 128, 128, 128], resolution: 28, maxPositives: 192, maskThresh: 0.5 },
    };
  }
  return {
    ...common,
    transform: { minSize: 512, maxSize: 1024, sizeDivisible: 32, ...IMAGENET },
    backbone: {
      kind: 'resnet50', stemChannels: 64, stageChannels: [256, 512, 1024, 2048], stageBlocks: [3, 4, 6, 3],
      stageStrides: [1, 2, 2, 2], fpnStages: [0, 1, 2, 3], outChannels: 256, fpnExtraPool: true, normGroups: 32,
    },
    ...heads,
    // torchvision's ResNet50-FPN: one size per level (P2..P6, strides 4..64), here the paper's 2..32.
    anchors: { sizes: [[2], [4], [8], [16], [32]], aspectRatios: heads.anchors.aspectRatios },
    maskHead: { roiSize: 14, layers: [256, 256, 256, 256], resolution: 28, maxPositives: 192, maskThresh: 0.5 },
  };
}

/** Deep-merge user overrides into a preset and validate; throws with the offending paths. */
export function makeSegmenterConfig(preset: PresetName, maskType: MaskType = 'both', overrides: DeepPartial<SegmenterConfig> = {}): SegmenterConfig {
  const merged = deepMerge(presetConfig(preset, maskType), overrides) as SegmenterConfig;
  if (overrides.maskType && !overrides.classNames) merged.classNames = classNamesFor(merged.maskType);
  return parseSegmenterConfig(merged);
}

export function parseSegmenterConfig(value: unknown): SegmenterConfig {
  const r = segmenterConfigSchema.safeParse(value);
  if (!r.success) throw new Error(`Invalid segmenter config: ${formatIssues(r.error)}`);
  const c = r.data;
  if (c.backbone.stageChannels.length !== c.backbone.stageBlocks.length || c.backbone.stageChannels.length !== c.backbone.stageStrides.length) {
    throw new Error('Invalid segmenter config: backbone.stageChannels, stageBlocks and stageStrides must have the same length');
  }
  const levels = c.backbone.fpnStages.length + (c.backbone.fpnExtraPool ? 1 : 0);
  if (c.anchors.sizes.length !== levels) {
    throw new Error(`Invalid segmenter config: anchors.sizes has ${c.anchors.sizes.length} levels but the backbone gives ${levels}`);
  }
  if (c.maskHead.resolution !== 2 * c.maskHead.roiSize) throw new Error('Invalid segmenter config: maskHead.resolution must be 2 × maskHead.roiSize');
  return c;
}

export function defaultClassifierConfig(segmenter: SegmenterConfig, classNames: string[] = ['COVID', 'non-COVID']): ClassifierConfig {
  const tiny = segmenter.preset === 'tiny';
  return {
    kind: 'classifier', classNames,
    rankedN: tiny ? 64 : segmenter.preset === 'light' ? 128 : 256,
    hiddenUnits: segmenter.preset === 'full' ? 1024 : 512,
    scoreThresh: -0.01, nmsThresh: 0.75, mode: 'heads', segmenter,
  };
}

export function parseClassifierConfig(value: unknown): ClassifierConfig {
  const r = classifierConfigSchema.safeParse(value);
  if (!r.success) throw new Error(`Invalid classifier config: ${formatIssues(r.error)}`);
  parseSegmenterConfig(r.data.segmenter);
  return r.data;
}

export type DeepPartial<T> = T extends (infer U)[] ? U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (Array.isArray(over) || typeof over !== 'object' || over === null || typeof base !== 'object' || base === null || Array.isArray(base)) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) out[k] = deepMerge(out[k], v);
  return out;
}

function formatIssues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
