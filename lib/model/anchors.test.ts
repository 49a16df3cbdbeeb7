import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { f32, fixtureTitle, hasReference, loadReference } from '@/lib/testing/reference';
import { presetConfig } from './config';
import { cellAnchors, flattenRpnHead, generateAnchors, gridAnchors, roundHalfEven } from './anchors';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('roundHalfEven', () => {
  it('sends exact halves to the even neighbour, like torch.round', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 0, -2, -2, 2, 3]);
  });
});

describe('anchors (hand-made)', () => {
  it('has 30 anchors per location with the paper defaults', () => {
    const paper = presetConfig('light').anchors; // the paper's sizes and ratios
    expect(cellAnchors(paper.sizes[0], paper.aspectRatios).length / 4).toBe(30);
  });

  it('concatenates levels in order, each with its own integer stride', () => {
    const { anchors, numPerLevel } = generateAnchors([70, 64], [[8, 8], [4, 4]], [[16], [32]], [1]);
    expect(numPerLevel).toEqual([64, 16]);
    // 70 // 8 = 8 and 70 // 4 = 17: strides come from the padded size by integer division
    expect(Array.from(anchors.subarray(64 * 4))).toEqual(Array.from(gridAnchors(cellAnchors([32], [1]), [4, 4], [17, 16])));
    expect(Array.from(anchors.subarray(4 * 9, 4 * 10))).toEqual([8 - 8, 8 - 8, 8 + 8, 8 + 8]);
  });

  it('rejects mismatched levels and bad ratios', () => {
    expect(() => generateAnchors([64, 64], [[8, 8]], [[16], [32]], [1])).toThrow(/2 levels/);
    expect(() => cellAnchors([16], [0])).toThrow(/positive/);
  });
});

describe.skipIf(!hasReference())(fixtureTitle('anchors.json'), () => {
  const ref = hasReference() ? loadReference('anchors.json') : null;

  it('reproduces the cell anchors and the full grid exactly', () => {
    for (const cs of ref.cases) {
      const cell = cellAnchors(cs.sizes, cs.aspect_ratios);
      expect(Array.from(cell), cs.name).toEqual(Array.from(f32(cs.cell_anchors)));
      const { anchors, numPerLevel } = generateAnchors(cs.image_size_hw, [cs.feature_map_hw], [cs.sizes], cs.aspect_ratios);
      expect(numPerLevel).toEqual([cs.num_anchors]);
      expect(Array.from(anchors), cs.name).toEqual(Array.from(f32(cs.anchors)));
    }
  });

  it('keeps the zero-area rows that round-half-to-even produces', () => {
    const cs = ref.cases[0];
    const cell = cellAnchors(cs.sizes, cs.aspect_ratios);
    const zero = [];
    for (let r = 0; r < cell.length / 4; r++) if ((cell[4 * r + 2] - cell[4 * r]) * (cell[4 * r + 3] - cell[4 * r + 1]) === 0) zero.push(r);
    expect(zero).toEqual(cs.cell_rows_with_zero_area);
    expect(Array.from(cell.subarray(20, 24))).toEqual([-2, 0, 2, 0]); // row 5: half-extents (2, 0.5)
  });
});

describe.skipIf(!hasReference())(fixtureTitle('rpn_losses.json head_output_flattening'), () => {
  const ref = hasReference() ? loadReference('rpn_losses.json').head_output_flattening : null;

  it('flattens NHWC head outputs in anchor order', () => {
    const { A, Hf, Wf } = ref;
    const toNhwc = (t: number[][][][]) => tf.tensor4d(f32(t), [1, t[0].length, Hf, Wf]).transpose([0, 2, 3, 1]) as tf.Tensor4D;
    const obj = toNhwc(ref.objectness_nchw);
    const del = toNhwc(ref.deltas_nchw);
    const out = flattenRpnHead([obj], [del]);
    expect(out.objectness.shape).toEqual([1, Hf * Wf * A]);
    expect(Array.from(out.objectness.dataSync())).toEqual(Array.from(f32(ref.objectness_flat)));
    expect(Array.from(out.deltas.dataSync())).toEqual(Array.from(f32(ref.deltas_flat)));
    // two levels: concatenated along the anchor axis
    const two = flattenRpnHead([obj, obj], [del, del]);
    expect(two.deltas.shape).toEqual([1, 2 * Hf * Wf * A, 4]);
    tf.dispose([obj, del, out.objectness, out.deltas, two.objectness, two.deltas]);
  });
});
