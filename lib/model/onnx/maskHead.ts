/**
 * The mask branch of maskHead.ts as ONNX nodes: NHWC RoI features [R, 14, 14, C] → 3×3 convs + ReLU → 2×2
 * stride-2 transposed conv + ReLU → 1×1 logits → sigmoid, returned NHWC [R, 28, 28, K] as the tfjs path
 * hands it to detectionFlow.ownClassMasks.
 */
import type { SegmenterConfig } from '../config';
import type { GraphBuilder } from './graphBuilder';
import { conv, convTranspose2x2, toNchw, toNhwc, type Weights } from './layers';

export function maskHead(g: GraphBuilder, w: Weights, cfg: SegmenterConfig['maskHead'], roiFeatures: string): string {
  let y = toNchw(g, roiFeatures);
  cfg.layers.forEach((_, i) => { y = conv(g, w, `roi_heads.mask_head.mask_fcn${i + 1}`, y, { bias: true, relu: true }); });
  y = convTranspose2x2(g, w, 'roi_heads.mask_predictor.conv5_mask', y, true);
  return toNhwc(g, g.node('Sigmoid', [conv(g, w, 'roi_heads.mask_predictor.mask_fcn_logits', y, { bias: true })]));
}
