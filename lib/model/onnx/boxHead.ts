/**
 * The RoI box head of roiHeads.ts (TwoMLPHead + FastRCNNPredictor) as ONNX nodes. Its input is NHWC RoI
 * features [R, S, S, C], flattened in that order as the tfjs head does (fc6's rows follow (y, x, c)).
 */
import type { SegmenterConfig } from '../config';
import type { GraphBuilder } from './graphBuilder';
import { linear, type Weights } from './layers';

export function boxHead(g: GraphBuilder, w: Weights, cfg: SegmenterConfig['roiHeads'], channels: number, roiFeatures: string): { classLogits: string; boxRegression: string } {
  const flat = g.node('Reshape', [roiFeatures, g.int64('box_flat_shape', [-1, cfg.boxRoiSize * cfg.boxRoiSize * channels])]);
  const h = linear(g, w, 'roi_heads.box_head.fc7', linear(g, w, 'roi_heads.box_head.fc6', flat, true), true);
  return { classLogits: linear(g, w, 'roi_heads.box_predictor.cls_score', h, false), boxRegression: linear(g, w, 'roi_heads.box_predictor.bbox_pred', h, false) };
}
