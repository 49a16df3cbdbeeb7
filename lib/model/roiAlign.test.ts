import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { f32, firstMismatch, fixtureTitle, hasReference, loadReference, nchwToNhwc } from '@/lib/testing/reference';
import { createRng } from './random';
import { inferScale, mapBoxLevels, multiScaleRoiAlign, roiAlign, type RoiAlignImpl } from './roiAlign';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** [K, PH, PW, C] (ours) → [K, C, PH, PW] (fixture layout) */
function toNchw(t: tf.Tensor4D): Float32Array {
  return tf.tidy(() => t.transpose([0, 3, 1, 2]).dataSync() as Float32Array);
}

function randomMap(seed: number, shape: [number, number, number, number]): tf.Tensor4D {
  const rng = createRng(seed);
  return tf.tensor4d(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal()), shape);
}

describe.skipIf(!hasReference())(fixtureTitle('roi_align.json'), () => {
  const ref = hasReference() ? loadReference('roi_align.json') : null;
  const feature = () => tf.tensor4d(nchwToNhwc(f32(ref.feature), [1, 4, 12, 10]), [1, 12, 10, 4]);

  for (const impl of ['js', 'ops'] as RoiAlignImpl[]) {
    it(`matches every case within 5e-5 (${impl} applier)`, () => {
      const f = feature();
      for (const cs of ref.cases) {
        const out = roiAlign(f, f32(ref.boxes), {
          outputSize: cs.output_size, spatialScale: cs.spatial_scale, samplingRatio: cs.sampling_ratio, aligned: cs.aligned, impl,
        }, ref.batch_index);
        expect(out.shape).toEqual([11, cs.output_size[0], cs.output_size[1], 4]);
        const what = `${cs.output_size} scale ${cs.spatial_scale_str} ratio ${cs.sampling_ratio} aligned ${cs.aligned}`;
        expect(firstMismatch(toNchw(out), f32(cs.output), { abs: 5e-5 }), what).toBeNull();
        out.dispose();
      }
      f.dispose();
    });
  }

  it('reads zeros for the box outside the map and column 0 for the box in [−1, 0)', () => {
    const f = feature();
    const out = toNchw(roiAlign(f, f32(ref.boxes), { outputSize: 7, spatialScale: 1 / 16, samplingRatio: 2 }));
    const box = (k: number) => out.subarray(k * 4 * 49, (k + 1) * 4 * 49);
    expect(box(9).every((v) => v === 0)).toBe(true);
    expect(box(10).some((v) => v !== 0)).toBe(true);
    f.dispose();
  });

  it('MultiScaleRoIAlign (single level) infers the scale from heights only', () => {
    const m = ref.multiscale_single_level;
    for (const row of m.scale_inference_table) expect(inferScale(row.feature_hw[0], row.image_shape_hw[0]), JSON.stringify(row)).toBe(row.inferred_scale);
    const f = feature();
    const out = multiScaleRoiAlign([f], f32(ref.boxes), m.image_shapes, { outputSize: 7, samplingRatio: m.sampling_ratio });
    expect(firstMismatch(toNchw(out), f32(m.output_7x7), { abs: 5e-5 })).toBeNull();
    const out14 = multiScaleRoiAlign([f], f32(ref.boxes), m.image_shapes, { outputSize: 14, samplingRatio: m.sampling_ratio });
    expect(firstMismatch(toNchw(out14), f32(ref.cases[1].output), { abs: 5e-5 })).toBeNull();
    tf.dispose([f, out, out14]);
  });
});

describe('roiAlign gradient', () => {
  const boxes = Float32Array.from([
    4, 6, 40, 30, // inside
    -12, -9, 20, 14, // partly outside, top-left
    50, 40, 75, 70, // beyond the bottom-right edge
    30, 30, 31, 30.5, // smaller than a cell
  ]);
  const opts = { outputSize: [3, 4] as [number, number], spatialScale: 1 / 8, samplingRatio: 2 };

  it('equals finite differences of ⟨roiAlign(F), R⟩ for every feature entry', () => {
    const shape: [number, number, number, number] = [1, 7, 8, 3];
    const f = randomMap(1, shape);
    const r = randomMap(2, [4, 3, 4, 3]);
    const loss = (x: tf.Tensor) => tf.sum(tf.mul(roiAlign(x as tf.Tensor4D, boxes, opts), r));
    const analytic = tf.grad(loss)(f).dataSync();
    const base = f.dataSync();
    // RoIAlign is linear in F, so a unit step is exact up to float32 rounding: no step-size trade-off
    const eps = 1;
    let checked = 0;
    for (let i = 0; i < base.length; i++) {
      const plus = Float32Array.from(base); plus[i] += eps;
      const minus = Float32Array.from(base); minus[i] -= eps;
      const numeric = tf.tidy(() => (loss(tf.tensor4d(plus, shape)).dataSync()[0] - loss(tf.tensor4d(minus, shape)).dataSync()[0]) / (2 * eps));
      expect(Math.abs(numeric - analytic[i]), `feature entry ${i}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(numeric)));
      if (analytic[i] !== 0) checked++;
    }
    expect(checked).toBeGreaterThan(base.length / 3); // the boxes cover much of the map
    tf.dispose([f, r]);
  });

  it('gives the same gradient with both appliers, on a batch of two images', () => {
    const f = randomMap(3, [2, 9, 6, 5]);
    const dy = randomMap(4, [4, 3, 4, 5]);
    const batchIdx = [1, 0, 1, 1];
    const grad = (impl: RoiAlignImpl) => tf.grad((x: tf.Tensor) => roiAlign(x as tf.Tensor4D, boxes, { ...opts, impl }, batchIdx))(f, dy).dataSync();
    const js = grad('js');
    expect(firstMismatch(js, grad('ops'), { abs: 1e-5 })).toBeNull();
    // image 0 only receives gradient from box 1
    const only0 = tf.tidy(() => tf.grad((x: tf.Tensor) => roiAlign(x as tf.Tensor4D, boxes.subarray(4, 8), opts, [0]))(f, dy.slice([1], [1])).dataSync());
    expect(firstMismatch(js.subarray(0, 9 * 6 * 5), only0.subarray(0, 9 * 6 * 5), { abs: 1e-6 })).toBeNull();
    tf.dispose([f, dy]);
  });
});

describe('roiAlign edge cases', () => {
  it('returns [0, PH, PW, C] for no boxes, still differentiable', () => {
    const f = randomMap(5, [1, 4, 4, 2]);
    expect(roiAlign(f, new Float32Array(0), { outputSize: 2, spatialScale: 1, samplingRatio: 2 }).shape).toEqual([0, 2, 2, 2]);
    const g = tf.grad((x: tf.Tensor) => roiAlign(x as tf.Tensor4D, new Float32Array(0), { outputSize: 2, spatialScale: 1, samplingRatio: 2 }).sum())(f);
    expect(g.dataSync().every((v) => v === 0)).toBe(true);
  });

  it('averages a constant map to the constant inside, and rejects bad inputs', () => {
    const out = roiAlign(tf.fill([1, 6, 6, 1], 2) as tf.Tensor4D, Float32Array.from([1, 1, 4, 5, 3, 3, 3, 3]), { outputSize: 3, spatialScale: 1, samplingRatio: -1 }).dataSync();
    expect(Array.from(out).every((v) => Math.abs(v - 2) < 1e-6)).toBe(true);
    const f = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    expect(() => roiAlign(f, Float32Array.from([0, 0, 1, 1]), { outputSize: 2, spatialScale: 1, samplingRatio: 2 }, [1])).toThrow(/batch index/);
    expect(() => roiAlign(f, Float32Array.from([0, 0, 1, 1]), { outputSize: 0, spatialScale: 1, samplingRatio: 2 })).toThrow(/output size/);
  });
});

describe('multi-level RoIAlign (FPN)', () => {
  it('maps boxes to levels by size (canonical 224 px at level 4)', () => {
    const boxes = Float32Array.from([0, 0, 224, 224, 0, 0, 112, 112, 0, 0, 111, 111, 0, 0, 20, 20, 0, 0, 900, 900]);
    expect(Array.from(mapBoxLevels(boxes, 2, 5))).toEqual([2, 1, 0, 0, 3]);
  });

  it('pools each box from its own level, as single-level roiAlign would', () => {
    const levels = [randomMap(6, [1, 16, 16, 3]), randomMap(7, [1, 8, 8, 3]), randomMap(8, [1, 4, 4, 3])];
    const boxes = Float32Array.from([2, 3, 30, 20, 5, 5, 60, 62, 0, 0, 120, 110, 40, 10, 52, 25]);
    const out = multiScaleRoiAlign(levels, boxes, [[64, 64]], { outputSize: 2, samplingRatio: 2 }).dataSync();
    const lvl = mapBoxLevels(boxes, 2, 4);
    for (let k = 0; k < 4; k++) {
      const single = roiAlign(levels[lvl[k]], boxes.subarray(4 * k, 4 * k + 4), { outputSize: 2, spatialScale: 1 / 4 / 2 ** lvl[k], samplingRatio: 2 }).dataSync();
      expect(firstMismatch(out.subarray(k * 12, (k + 1) * 12), single, { abs: 1e-6 }), `box ${k} level ${lvl[k]}`).toBeNull();
    }
    expect(new Set(lvl).size).toBeGreaterThan(1);
    tf.dispose(levels);
  });
});
