import { describe, expect, it } from 'vitest';
import { f32, firstMismatch, fixtureTitle, hasReference, loadReference } from '@/lib/testing/reference';
import { batchedNms, boxArea, boxIou, clipBoxesToImage, nms, removeSmallBoxes } from './boxOps';

describe.skipIf(!hasReference())(fixtureTitle('box_iou.json'), () => {
  const ref = hasReference() ? loadReference('box_iou.json') : null;
  it('matches every IoU matrix within abs 1e-6', () => {
    for (const cs of ref.cases) {
      expect(firstMismatch(boxIou(f32(cs.boxes1), f32(cs.boxes2)), f32(cs.iou), { abs: 1e-6 }), cs.name).toBeNull();
    }
  });
});

describe.skipIf(!hasReference())(fixtureTitle('nms.json'), () => {
  const ref = hasReference() ? loadReference('nms.json') : null;
  it('keeps exactly the reference indices, in order', () => {
    const boxes = f32(ref.boxes);
    const scores = f32(ref.scores);
    for (const cs of ref.cases) {
      expect(Array.from(nms(boxes, scores, cs.iou_threshold)), `nms ${cs.iou_threshold}`).toEqual(cs.nms_keep);
      expect(Array.from(batchedNms(boxes, scores, ref.class_idxs, cs.iou_threshold)), `batched ${cs.iou_threshold}`).toEqual(cs.batched_nms_keep);
    }
  });
  it('suppresses only IoU strictly above the threshold', () => {
    const b = ref.boundary_case;
    for (const cs of b.cases) expect(Array.from(nms(f32(b.boxes), f32(b.scores), cs.iou_threshold))).toEqual(cs.keep);
  });
});

describe('box ops (hand-made)', () => {
  it('gives IoU 0 for zero-area boxes against real ones', () => {
    const iou = boxIou(Float32Array.from([5, 5, 5, 9, 0, 0, 10, 10]), Float32Array.from([0, 0, 10, 10]));
    expect(Array.from(iou)).toEqual([0, 1]);
  });

  it('handles empty lists', () => {
    const none = new Float32Array(0);
    expect(boxIou(none, Float32Array.from([0, 0, 1, 1])).length).toBe(0);
    expect(nms(none, [], 0.5).length).toBe(0);
    expect(batchedNms(none, [], [], 0.5).length).toBe(0);
    expect(removeSmallBoxes(none, 1).length).toBe(0);
  });

  it('clips to [0, W] × [0, H] and removes boxes with a side below the minimum', () => {
    const clipped = clipBoxesToImage(Float32Array.from([-5, -2, 50, 8, 70, 10, 90, 30]), [20, 64]);
    expect(Array.from(clipped)).toEqual([0, 0, 50, 8, 64, 10, 64, 20]);
    expect(Array.from(removeSmallBoxes(clipped, 0.01))).toEqual([0]);
    expect(Array.from(boxArea(clipped))).toEqual([400, 0]);
  });

  it('runs NMS per class: overlapping boxes of different classes both survive', () => {
    const boxes = Float32Array.from([0, 0, 10, 10, 0, 0, 10, 10, 1, 1, 10, 10]);
    expect(Array.from(nms(boxes, [0.9, 0.8, 0.7], 0.5))).toEqual([0]);
    expect(Array.from(batchedNms(boxes, [0.9, 0.8, 0.7], [1, 2, 1], 0.5))).toEqual([0, 1]);
  });

  it('rejects mismatched inputs', () => {
    expect(() => nms(Float32Array.from([0, 0, 1, 1]), [0.1, 0.2], 0.5)).toThrow(/scores/);
    expect(() => boxArea(new Float32Array(5))).toThrow(/4 numbers/);
  });
});
