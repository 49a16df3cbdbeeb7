import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { f32, firstMismatch, fixtureTitle, hasReference, loadReference, maskRows } from '@/lib/testing/reference';
import { expandBoxes, pasteMaskRegion, pasteMasksInImage, thresholdMasks } from './pasteMasks';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.skipIf(!hasReference())(fixtureTitle('paste_masks.json'), () => {
  const ref = hasReference() ? loadReference('paste_masks.json') : null;

  it('expands and truncates the boxes like the reference', () => {
    const expanded = expandBoxes(f32(ref.boxes), ref.expand_scale);
    ref.results.forEach((r: { expanded_box: number[]; int_box: number[] }, i: number) => {
      expect(firstMismatch(expanded.subarray(4 * i, 4 * i + 4), r.expanded_box, { abs: 1e-4 })).toBeNull();
      expect(Array.from(expanded.subarray(4 * i, 4 * i + 4), Math.trunc)).toEqual(r.int_box);
    });
  });

  it('pastes probabilities (abs 1e-5) and thresholds them exactly away from 0.5', () => {
    const [h, w] = ref.image_size_hw;
    const probs = pasteMasksInImage(f32(ref.masks), f32(ref.boxes), [h, w], ref.padding);
    const binary = thresholdMasks(probs, 0.5);
    ref.results.forEach((r: { probabilities: number[][]; binary_rows: string[]; num_ones: number; near_threshold_yx: number[][] }, i: number) => {
      const p = probs.subarray(i * h * w, (i + 1) * h * w);
      expect(firstMismatch(p, f32(r.probabilities), { abs: 1e-5 }), `mask ${i}`).toBeNull();
      const expected = maskRows(r.binary_rows);
      const near = new Set(r.near_threshold_yx.map(([y, x]) => y * w + x));
      const b = binary.subarray(i * h * w, (i + 1) * h * w);
      for (let j = 0; j < h * w; j++) if (!near.has(j)) expect(b[j], `mask ${i} pixel ${j}`).toBe(expected[j]);
      if (near.size === 0) expect(b.reduce((s, v) => s + v, 0)).toBe(r.num_ones);
    });
  });
});

describe('paste masks (hand-made)', () => {
  it('leaves the image empty for a box outside it and for no detections', () => {
    const mask = new Float32Array(28 * 28).fill(1);
    const out = pasteMasksInImage(mask, Float32Array.from([100, 100, 120, 130]), [40, 48]);
    expect(out.every((v) => v === 0)).toBe(true);
    expect(pasteMasksInImage(new Float32Array(0), new Float32Array(0), [40, 48]).length).toBe(0);
  });

  it('covers the box with a full mask and only its surroundings', () => {
    const mask = new Float32Array(28 * 28).fill(1);
    const probs = pasteMasksInImage(mask, Float32Array.from([10, 10, 38, 24]), [40, 48]);
    const binary = thresholdMasks(probs, 0.5);
    expect(binary[15 * 48 + 20]).toBe(1);
    expect(binary[5 * 48 + 5]).toBe(0);
    expect(binary[30 * 48 + 20]).toBe(0);
  });
});

describe.skipIf(!hasReference())(fixtureTitle('paste_masks.json regions'), () => {
  const ref = hasReference() ? loadReference('paste_masks.json') : null;
  it('reports the pasted region and size of each mask', () => {
    const masks = f32(ref.masks);
    const boxes = f32(ref.boxes);
    ref.results.forEach((r: { pasted_region_rows: number[]; pasted_region_cols: number[]; probabilities: number[][] }, i: number) => {
      const region = pasteMaskRegion(masks.subarray(i * 784, (i + 1) * 784), boxes.subarray(4 * i, 4 * i + 4), ref.image_size_hw);
      expect([region.y0, region.y1]).toEqual(r.pasted_region_rows);
      expect([region.x0, region.x1]).toEqual(r.pasted_region_cols);
      const inside = r.probabilities.slice(region.y0, region.y1).flatMap((row) => row.slice(region.x0, region.x1));
      expect(firstMismatch(region.values, inside, { abs: 1e-5 })).toBeNull();
    });
  });
});
