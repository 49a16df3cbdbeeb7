/**
 * Mask-head training targets and loss (torchvision project_masks_on_boxes + maskrcnn_loss).
 *
 *   projectMasksOnBoxes(gtMasks, [H, W], proposals [P*4], matchedIdxs [P], M): Float32Array [P*M*M]
 *        soft targets: RoIAlign of gt mask matchedIdxs[p] (values 0/1, [G*H*W] row-major) over proposal p,
 *        output M×M, spatial scale 1, adaptive sampling grid, aligned=false — the same sampling
 *        (roiAlign.roiAxisTaps) applied in JS, one axis after the other, since masks are large and
 *        single-channel and need no gradient
 *   maskrcnnLoss(maskLogits [P, M, M, K] NHWC, labels [P], maskTargets [P*M*M]): tf.Scalar
 *        mean over (p, y, x) of BCE-with-logits of the gt class's logit map (label K, a lesion of unknown
 *        class: the mean over the foreground classes' maps); 0 (still on the tape) when P = 0
 */
import * as tf from '@tensorflow/tfjs';
import { boxCount, type Boxes } from './boxOps';
import { bceWithLogits, classWeights } from './losses';
import { roiAxisTaps } from './roiAlign';

export function projectMasksOnBoxes(
  gtMasks: ArrayLike<number>,
  [h, w]: readonly [number, number],
  proposals: Boxes,
  matchedIdxs: ArrayLike<number>,
  m: number,
): Float32Array {
  const p = boxCount(proposals);
  const numGt = gtMasks.length / (h * w);
  if (!Number.isInteger(numGt)) throw new Error(`projectMasksOnBoxes: ${gtMasks.length} mask values do not form ${h}×${w} masks`);
  if (matchedIdxs.length !== p) throw new Error(`projectMasksOnBoxes: ${p} proposals but ${matchedIdxs.length} matched indices`);
  const out = new Float32Array(p * m * m);
  for (let i = 0; i < p; i++) {
    const g = matchedIdxs[i];
    if (!(g >= 0 && g < numGt)) throw new Error(`projectMasksOnBoxes: matched index ${g} but only ${numGt} gt masks`);
    const { y, x } = roiAxisTaps(proposals.subarray(4 * i, 4 * i + 4), [h, w], m, m, 1, -1, false);
    let x0 = w, x1 = -1;
    for (const c of x.index) { x0 = Math.min(x0, c); x1 = Math.max(x1, c); }
    if (x1 < x0) continue; // every sample outside the mask: zero target
    const span = x1 - x0 + 1;
    const rows = new Float64Array(m * span);
    const base = g * h * w;
    for (let py = 0; py < m; py++)
      for (let a = y.offset[py]; a < y.offset[py + 1]; a++) {
        const src = base + y.index[a] * w + x0;
        const wy = y.weight[a];
        for (let c = 0; c < span; c++) rows[py * span + c] += wy * gtMasks[src + c];
      }
    for (let py = 0; py < m; py++)
      for (let px = 0; px < m; px++) {
        let v = 0;
        for (let b = x.offset[px]; b < x.offset[px + 1]; b++) v += x.weight[b] * rows[py * span + x.index[b] - x0];
        out[(i * m + py) * m + px] = v;
      }
  }
  return out;
}

export function maskrcnnLoss(maskLogits: tf.Tensor4D, labels: ArrayLike<number>, maskTargets: Float32Array): tf.Scalar {
  const [p, mh, mw, k] = maskLogits.shape;
  if (labels.length !== p || maskTargets.length !== p * mh * mw)
    throw new Error(`maskrcnnLoss: ${p} mask logit maps need ${p} labels and ${p}×${mh}×${mw} targets`);
  if (p === 0) return tf.tidy(() => tf.mul(tf.sum(maskLogits), 0) as tf.Scalar);
  for (let i = 0; i < p; i++) {
    if (!(Number.isInteger(labels[i]) && labels[i] > 0 && labels[i] <= k)) throw new Error(`maskrcnnLoss: label ${labels[i]} outside the ${k} mask classes`);
  }
  // BCE of every class's map, weighted per row: the gt class's alone, or the foreground classes' mean for a
  // lesion of unknown class (losses.classWeights)
  const weights = classWeights(labels, k);
  return tf.tidy(() => {
    const bce = bceWithLogits(maskLogits, tf.tensor4d(maskTargets, [p, mh, mw, 1]));
    return tf.div(tf.sum(tf.mul(bce, tf.tensor4d(weights, [p, 1, 1, k]))), p * mh * mw) as tf.Scalar;
  });
}
