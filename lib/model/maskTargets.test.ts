import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { f32, firstMismatch, fixtureTitle, hasReference, loadReference, maskRows } from '@/lib/testing/reference';
import { maskrcnnLoss, projectMasksOnBoxes } from './maskTargets';
import { createRng } from './random';
import { roiAlign } from './roiAlign';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** [P, K, M, M] (fixture) → [P, M, M, K] (NHWC mask head output) */
function logitsNhwc(nested: number[][][][]): tf.Tensor4D {
  const [p, k, m] = [nested.length, nested[0].length, nested[0][0].length];
  return tf.tidy(() => tf.tensor4d(f32(nested), [p, k, m, m]).transpose([0, 2, 3, 1]) as tf.Tensor4D);
}

describe.skipIf(!hasReference())(fixtureTitle('maskrcnn_loss.json'), () => {
  const ref = hasReference() ? loadReference('maskrcnn_loss.json') : null;
  const masks = hasReference() ? Uint8Array.from([...maskRows(ref.gt_masks_rows[0]), ...maskRows(ref.gt_masks_rows[1])]) : new Uint8Array(0);

  it('projects gt masks onto proposals as soft targets (abs 5e-5)', () => {
    const t = projectMasksOnBoxes(masks, [32, 32], f32(ref.proposals), ref.matched_idxs, ref.M);
    expect(firstMismatch(t, f32(ref.mask_targets), { abs: 5e-5 })).toBeNull();
    expect(t.some((v) => v > 0 && v < 1)).toBe(true);
  });

  it('agrees with the differentiable roiAlign run with the adaptive grid on the same masks', () => {
    const t = projectMasksOnBoxes(masks, [32, 32], f32(ref.proposals), ref.matched_idxs, ref.M);
    const viaRoiAlign = tf.tidy(() =>
      roiAlign(tf.tensor4d(Float32Array.from(masks), [2, 32, 32, 1]), f32(ref.proposals), { outputSize: 28, spatialScale: 1, samplingRatio: -1 }, ref.matched_idxs).dataSync(),
    );
    expect(firstMismatch(t, viaRoiAlign, { abs: 1e-6 })).toBeNull();
  });

  it('computes maskrcnn_loss on the gt class logits (rel 1e-5), with gradient only there', () => {
    const logits = logitsNhwc(ref.mask_logits);
    const loss = maskrcnnLoss(logits, ref.labels, f32(ref.mask_targets)).dataSync()[0];
    expect(Math.abs(loss - ref.loss_mask) / ref.loss_mask).toBeLessThan(1e-5);
    const g = tf.grad((x: tf.Tensor) => maskrcnnLoss(x as tf.Tensor4D, ref.labels, f32(ref.mask_targets)))(logits);
    const perClass = tf.tidy(() => g.abs().sum([1, 2]).arraySync() as number[][]);
    perClass.forEach((row, p) => row.forEach((v, k) => expect(v > 0, `proposal ${p} class ${k}`).toBe(k === ref.labels[p])));
  });
});

describe('mask targets (hand-made)', () => {
  it('gives zero targets for a proposal outside the mask and zero loss without positives', () => {
    const mask = new Uint8Array(16 * 16).fill(1);
    const t = projectMasksOnBoxes(mask, [16, 16], Float32Array.from([40, 40, 60, 60, 0, 0, 16, 16]), [0, 0], 4);
    expect(Array.from(t.subarray(0, 16)).every((v) => v === 0)).toBe(true);
    expect(Array.from(t.subarray(16)).every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
    const empty = tf.zeros([0, 28, 28, 3]) as tf.Tensor4D;
    expect(maskrcnnLoss(empty, [], new Float32Array(0)).dataSync()[0]).toBe(0);
  });

  it('matches roiAlign on a random large mask with a large adaptive grid', () => {
    const rng = createRng(4);
    const [h, w] = [90, 70];
    const mask = Uint8Array.from({ length: 2 * h * w }, () => (rng.next() < 0.4 ? 1 : 0));
    const boxes = Float32Array.from([3.2, 5.5, 66.1, 88.4, -10, 20, 30, 95, 10, 10, 10.5, 40]);
    const t = projectMasksOnBoxes(mask, [h, w], boxes, [1, 0, 1], 14);
    const viaRoiAlign = tf.tidy(() =>
      roiAlign(tf.tensor4d(Float32Array.from(mask), [2, h, w, 1]), boxes, { outputSize: 14, spatialScale: 1, samplingRatio: -1 }, [1, 0, 1]).dataSync(),
    );
    expect(firstMismatch(t, viaRoiAlign, { abs: 1e-5 })).toBeNull();
  });
});
