/**
 * A segmenter version as three ONNX graphs, the networks of lib/model with the typed-array steps between
 * them left to detectionFlow.ts (proposals, NMS, RoIAlign's level mapping, mask pasting):
 *   dense     image [1, 3, H, W] (normalised, padded; NCHW) → feature_0..L-1 [1, h, w, C] (NHWC) and
 *             rpn_objectness [1, A], rpn_deltas [1, A, 4] (anchor order)
 *   box head  box_roi_features [R, S, S, C] → class_logits [R, K], box_regression [R, 4K]
 *   mask head mask_roi_features [R, 14, 14, C] → mask_probs [R, 28, 28, K]
 * ONNX has no way to run part of one graph (onnxruntime computes every node whatever is fetched, measured),
 * and the heads need the proposals that the TypeScript filter picks between two runs: hence three graphs.
 */
import type { SegmenterConfig } from '../config';
import { boxHead } from './boxHead';
import { fpn } from './fpn';
import { GraphBuilder, ONNX_OPSET } from './graphBuilder';
import type { Weights } from './layers';
import { toNhwc } from './layers';
import { maskHead } from './maskHead';
import { rpnHead } from './rpnHead';
import { trunk } from './trunk';

export const ONNX_NAMES = {
  image: 'image',
  feature: (level: number) => `feature_${level}`,
  objectness: 'rpn_objectness',
  deltas: 'rpn_deltas',
  boxRoiFeatures: 'box_roi_features',
  classLogits: 'class_logits',
  boxRegression: 'box_regression',
  maskRoiFeatures: 'mask_roi_features',
  maskProbs: 'mask_probs',
} as const;

export type GraphName = 'dense' | 'boxHead' | 'maskHead';

/** Levels the dense graph returns: the FPN levels, plus the RPN-only pool level. */
export const numFeatureLevels = (cfg: SegmenterConfig) => cfg.backbone.fpnStages.length + (cfg.backbone.fpnExtraPool ? 1 : 0);

export function denseGraph(cfg: SegmenterConfig, w: Weights): Uint8Array {
  const g = new GraphBuilder();
  const image = g.input(ONNX_NAMES.image, [1, 3, 'height', 'width']);
  const levels = fpn(g, w, cfg.backbone, trunk(g, w, cfg.backbone, image));
  levels.forEach((l, i) => g.output(ONNX_NAMES.feature(i), toNhwc(g, l), [1, `h${i}`, `w${i}`, cfg.backbone.outChannels]));
  const head = rpnHead(g, w, levels);
  g.output(ONNX_NAMES.objectness, head.objectness, [1, 'anchors']);
  g.output(ONNX_NAMES.deltas, head.deltas, [1, 'anchors', 4]);
  return g.encode('segmenter_dense', `CT-Mask Studio segmenter (${cfg.preset}): backbone, FPN and RPN head; opset ${ONNX_OPSET}`);
}

export function boxHeadGraph(cfg: SegmenterConfig, w: Weights): Uint8Array {
  const g = new GraphBuilder();
  const s = cfg.roiHeads.boxRoiSize;
  const k = cfg.classNames.length + 1;
  const x = g.input(ONNX_NAMES.boxRoiFeatures, ['rois', s, s, cfg.backbone.outChannels]);
  const out = boxHead(g, w, cfg.roiHeads, cfg.backbone.outChannels, x);
  g.output(ONNX_NAMES.classLogits, out.classLogits, ['rois', k]);
  g.output(ONNX_NAMES.boxRegression, out.boxRegression, ['rois', 4 * k]);
  return g.encode('segmenter_box_head', 'CT-Mask Studio segmenter: RoI box head (TwoMLPHead + predictor)');
}

export function maskHeadGraph(cfg: SegmenterConfig, w: Weights): Uint8Array {
  const g = new GraphBuilder();
  const s = cfg.maskHead.roiSize;
  const x = g.input(ONNX_NAMES.maskRoiFeatures, ['rois', s, s, cfg.backbone.outChannels]);
  g.output(ONNX_NAMES.maskProbs, maskHead(g, w, cfg.maskHead, x), ['rois', cfg.maskHead.resolution, cfg.maskHead.resolution, cfg.classNames.length + 1]);
  return g.encode('segmenter_mask_head', 'CT-Mask Studio segmenter: mask head (sigmoid probabilities per class)');
}

export function segmenterGraphs(cfg: SegmenterConfig, w: Weights): Record<GraphName, Uint8Array> {
  return { dense: denseGraph(cfg, w), boxHead: boxHeadGraph(cfg, w), maskHead: maskHeadGraph(cfg, w) };
}
