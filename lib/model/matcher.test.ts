import { describe, expect, it } from 'vitest';
import { f32, fixtureTitle, hasReference, loadReference } from '@/lib/testing/reference';
import { boxIou } from './boxOps';
import { assignRoiTargets, assignRpnTargets, matchQuality } from './matcher';
import { presetConfig } from './config';
import { roiTargetOptions } from './roiHeads';
import { rpnTargetOptions } from './rpn';

const { matcher: rpnMatcher } = rpnTargetOptions(presetConfig('light').rpn);
const { matcher: roiMatcher } = roiTargetOptions(presetConfig('light').roiHeads);
const cfg = ([high, low, allow]: [number, number, boolean]) => ({ highThreshold: high, lowThreshold: low, allowLowQualityMatches: allow });

describe.skipIf(!hasReference())(fixtureTitle('matcher.json'), () => {
  const ref = hasReference() ? loadReference('matcher.json') : null;
  const gt = hasReference() ? f32(ref.gt_boxes) : new Float32Array(0);
  const anchors = hasReference() ? f32(ref.anchors) : new Float32Array(0);

  it('matches for every threshold setting', () => {
    const iou = boxIou(gt, anchors);
    for (const m of ref.matchers) {
      const matches = matchQuality(iou, 3, { highThreshold: m.high_threshold, lowThreshold: m.low_threshold, allowLowQualityMatches: m.allow_low_quality_matches });
      expect(Array.from(matches), JSON.stringify(m)).toEqual(m.matches);
    }
  });

  it('re-assigns every zero-IoU anchor when a gt overlaps nothing', () => {
    const z = ref.zero_overlap_gt_case;
    expect(Array.from(matchQuality(f32(z.iou), 2, cfg(z.matcher)))).toEqual(z.matches);
  });

  it('derives the RPN labels and matched boxes', () => {
    const { labels, matchedGtBoxes } = assignRpnTargets(anchors, gt, cfg(ref.rpn_assign.matcher));
    expect(Array.from(labels)).toEqual(ref.rpn_assign.labels);
    expect(Array.from(matchedGtBoxes)).toEqual(Array.from(f32(ref.rpn_assign.matched_gt_boxes)));
  });

  it('derives the RoI-head labels and clamped matched indices', () => {
    const { labels, matchedIdxs } = assignRoiTargets(anchors, gt, ref.gt_labels, cfg(ref.roi_assign.matcher));
    expect(Array.from(labels)).toEqual(ref.roi_assign.labels);
    expect(Array.from(matchedIdxs)).toEqual(ref.roi_assign.clamped_matched_idxs);
  });
});

describe('matcher (hand-made)', () => {
  it('compares in float32: an IoU of 700/1000 counts as ≥ 0.7', () => {
    const iou = Float32Array.from([0.7, 0.3, 0.29999]);
    expect(Math.fround(0.7) < 0.7).toBe(true);
    expect(Array.from(matchQuality(iou, 1, cfg([0.7, 0.3, false])))).toEqual([0, -2, -1]);
  });

  it('makes everything background without gt boxes, and refuses to match against none', () => {
    const anchors = Float32Array.from([0, 0, 4, 4, 2, 2, 8, 8]);
    expect(Array.from(assignRpnTargets(anchors, new Float32Array(0), rpnMatcher).labels)).toEqual([0, 0]);
    expect(Array.from(assignRoiTargets(anchors, new Float32Array(0), [], roiMatcher).labels)).toEqual([0, 0]);
    expect(() => matchQuality(new Float32Array(0), 0, rpnMatcher)).toThrow(/ground-truth/);
  });

  it('marks all anchors below the low threshold as background', () => {
    const { labels } = assignRpnTargets(Float32Array.from([100, 100, 110, 110, 200, 200, 220, 220]), Float32Array.from([0, 0, 10, 10]), { ...rpnMatcher, allowLowQualityMatches: false });
    expect(Array.from(labels)).toEqual([0, 0]);
  });
});
