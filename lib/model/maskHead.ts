/**
 * Mask branch of Mask R-CNN (torchvision MaskRCNNHeads + MaskRCNNPredictor): 4 × (3×3 conv + ReLU) on
 * the 14×14 RoIAligned features, a 2×2 stride-2 transposed conv + ReLU to 28×28, and a 1×1 conv giving
 * one logit map per class (background included, as torchvision).
 */
import * as tf from '@tensorflow/tfjs';
import type { SegmenterConfig } from './config';
import { conv2d, convTranspose2x2, type ParamStore } from './layers';

export type MaskHead = (roiFeatures: tf.Tensor4D) => tf.Tensor4D;

/** roiFeatures [R,14,14,C] → logits [R,28,28,numClasses]. */
export function createMaskHead(ps: ParamStore, inChannels: number, cfg: SegmenterConfig['maskHead'], numClasses: number): MaskHead {
  let cin = inChannels;
  const convs = cfg.layers.map((cout, i) => {
    // kaiming normal, fan_out, as torchvision's mask head
    const c = conv2d(ps, `roi_heads.mask_head.mask_fcn${i + 1}`, { cin, cout, k: 3, bias: true, init: { kind: 'normal', std: Math.sqrt(2 / (9 * cout)) } });
    cin = cout;
    return c;
  });
  const deconv = convTranspose2x2(ps, 'roi_heads.mask_predictor.conv5_mask', cin, cin);
  const logits = conv2d(ps, 'roi_heads.mask_predictor.mask_fcn_logits', { cin, cout: numClasses, k: 1, bias: true, init: { kind: 'normal', std: Math.sqrt(2 / numClasses) } });
  return (x) => tf.tidy(() => {
    let y = x;
    for (const c of convs) y = c(y, 'relu');
    return logits(deconv(y, 'relu'));
  });
}
