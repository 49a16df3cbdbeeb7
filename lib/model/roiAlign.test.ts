import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { f32, hasReference, loadReference, nchwToNhwc, fixtureTitle } from '@/lib/testing/reference';
import { createRng } from './random';
import { inferScale, mapBoxLevels, multiScaleRoiAlign, roiAlign } from './roiAlign';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** [K, PH, PW, C] (ours) → [K, C, PH, PW] (fixture layout) */
function toNchw(t: tf.Tensor4D): Float32Array {
  return tf.tidy(() => t.transpose([0, 3, 1, 2]).dataSync() as Float32Array);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe.skipIf(!hasReference())(fixtureTitle('roi_align.json'), () => {
  const ref = hasReference() ? loadReference('roi_align.json') : null;

  it('matches every case within 5e-5', () => {
    const [n, c, h, w] = [1, 4, 12, 10] as const;
    const feature = tf.tensor4d(nchwToNhwc(f32(ref.feature), [n, c, h, w]), [n, h, w, c]);
    const boxes = f32(ref.boxes);
    for (const cs of ref.cases) {
      const out = roiAlign(feature, boxes, {
        outputSize: cs.output_size, spatialScale: cs.spatial_scale, samplingRatio: cs.sampling_ratio, aligned: cs.aligned,
      }, ref.batch_index);
      expect(out.shape).toEqual([11, cs.output_size[0], cs.output_size[1], 4]);
      expect(maxAbsDiff(toNchw(out), f32(cs.output)), JSON.stringify({ ...cs, output: undefined })).toBeLessThan(5e-5);
      out.dispose();
    }
    feature.dispose();
  });
});
