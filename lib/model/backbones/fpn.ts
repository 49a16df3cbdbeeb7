/**
 * Feature Pyramid Network (Lin et al. 2017) over the chosen trunk stages: 1×1 lateral convs, top-down
 * nearest upsampling, 3×3 output convs. With one stage it is the "one FPN level" of the light model.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2d, type ParamStore } from '../layers';

export function createFpn(ps: ParamStore, inChannels: number[], outChannels: number, prefix = 'backbone.fpn') {
  const lateral = inChannels.map((c, i) => conv2d(ps, `${prefix}.inner.${i}`, { cin: c, cout: outChannels, k: 1, bias: true, init: { kind: 'uniform', limit: Math.sqrt(3 / c) } }));
  const output = inChannels.map((_, i) => conv2d(ps, `${prefix}.layer.${i}`, { cin: outChannels, cout: outChannels, k: 3, bias: true, init: { kind: 'uniform', limit: Math.sqrt(3 / (9 * outChannels)) } }));
  /** `feats` fine to coarse; returns the same number of levels, fine to coarse. */
  return (feats: tf.Tensor4D[]): tf.Tensor4D[] => {
    const out: tf.Tensor4D[] = new Array(feats.length);
    let inner = lateral[feats.length - 1](feats[feats.length - 1]);
    out[feats.length - 1] = output[feats.length - 1](inner);
    for (let i = feats.length - 2; i >= 0; i--) {
      const lat = lateral[i](feats[i]);
      const [, h, w] = lat.shape;
      inner = tf.add(lat, tf.image.resizeNearestNeighbor(inner, [h, w])) as tf.Tensor4D;
      out[i] = output[i](inner);
    }
    return out;
  };
}
