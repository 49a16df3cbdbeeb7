import { describe, expect, it } from 'vitest';
import { f32, firstMismatch, fixtureTitle, hasReference, loadReference } from '@/lib/testing/reference';
import { BBOX_XFORM_CLIP, decodeBoxes, encodeBoxes } from './boxCoder';
import { presetConfig } from './config';

describe.skipIf(!hasReference())(fixtureTitle('box_coder.json'), () => {
  const ref = hasReference() ? loadReference('box_coder.json') : null;

  it('uses the reference clip value', () => {
    expect(BBOX_XFORM_CLIP).toBeCloseTo(ref.meta.bbox_xform_clip, 12);
  });

  it('encodes within abs 1e-4 or rel 1e-5', () => {
    for (const e of ref.encode) {
      const t = encodeBoxes(f32(ref.proposals), f32(ref.gt_boxes), e.weights);
      expect(firstMismatch(t, f32(e.targets), { abs: 1e-4, rel: 1e-5 }), `weights ${e.weights}`).toBeNull();
    }
  });

  it('decodes (single and multi-class, clipped dw/dh) within abs 1e-3 or rel 1e-5', () => {
    for (const d of ref.decode) {
      const boxes = decodeBoxes(f32(d.codes), f32(ref.proposals), d.weights);
      expect(boxes.length).toBe(20 * d.num_classes * 4);
      expect(firstMismatch(boxes, f32(d.boxes), { abs: 1e-3, rel: 1e-5 }), `weights ${d.weights}`).toBeNull();
    }
  });
});

describe('box coder (hand-made)', () => {
  const reference = Float32Array.from([10, 20, 30, 60, 0, 0, 1, 1]);
  const targets = Float32Array.from([12, 18, 40, 50, 0.25, 0.5, 2, 3]);

  it('decode inverts encode', () => {
    const paper = presetConfig('light');
    for (const w of [paper.rpn.boxWeights, paper.roiHeads.boxWeights]) {
      const back = decodeBoxes(encodeBoxes(reference, targets, w), reference, w);
      expect(firstMismatch(back, targets, { abs: 1e-4 })).toBeNull();
    }
  });

  it('clamps only large positive dw/dh, after dividing by the weight', () => {
    const clip = BBOX_XFORM_CLIP;
    const box = Float32Array.from([0, 0, 10, 10]);
    // dw = 50/5 = 10 is clamped to ln(1000/16): width 10·62.5; dh = −50/5 is not clamped
    const out = decodeBoxes(Float32Array.from([0, 0, 50, -50]), box, [10, 10, 5, 5]);
    expect(out[2] - out[0]).toBeCloseTo(10 * Math.exp(clip), 3);
    expect(out[3] - out[1]).toBeCloseTo(10 * Math.exp(-10), 6);
  });

  it('handles no boxes and rejects ragged codes', () => {
    expect(decodeBoxes(new Float32Array(0), new Float32Array(0), [1, 1, 1, 1]).length).toBe(0);
    expect(() => decodeBoxes(new Float32Array(6), reference, [1, 1, 1, 1])).toThrow(/4·K/);
    expect(() => encodeBoxes(reference, targets.subarray(0, 4), [1, 1, 1, 1])).toThrow(/targets/);
  });
});
