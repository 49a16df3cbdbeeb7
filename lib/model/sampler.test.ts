import { describe, expect, it } from 'vitest';
import { f32, firstMismatch, FIXTURE_ROUNDING_REL, fixtureTitle, hasReference, loadReference } from '@/lib/testing/reference';
import { createRng } from './random';
import { sampleBalanced, selectRoiTrainingSamples, selectRpnTrainingSamples, type Sampler } from './sampler';
import { presetConfig } from './config';
import { roiTargetOptions } from './roiHeads';
import { rpnTargetOptions } from './rpn';

/** The fixtures give the sampled indices; this sampler hands them back in place of the random draw. */
/** The paper's matching thresholds and box weights (the light and full presets). */
const paper = presetConfig('light');
const rpnOptions = rpnTargetOptions(paper.rpn);
const roiOptions = roiTargetOptions(paper.roiHeads);

const given = (positive: number[], negative: number[]): Sampler => () => ({ positive: Int32Array.from(positive), negative: Int32Array.from(negative) });

describe('sampleBalanced', () => {
  const labels = Array.from({ length: 400 }, (_, i) => (i % 10 === 0 ? 1 + (i % 3) : i % 7 === 0 ? -1 : 0));

  it('is deterministic for a seed, draws without replacement, ascending, never ignored anchors', () => {
    const a = sampleBalanced(labels, 64, 0.25, createRng(1));
    const b = sampleBalanced(labels, 64, 0.25, createRng(1));
    const c = sampleBalanced(labels, 64, 0.25, createRng(2));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.positive.length).toBe(16);
    expect(a.negative.length).toBe(48);
    for (const list of [a.positive, a.negative]) {
      expect(new Set(list).size).toBe(list.length);
      expect(Array.from(list)).toEqual(Array.from(list).sort((p, q) => p - q));
    }
    expect(Array.from(a.positive).every((i) => labels[i] >= 1)).toBe(true);
    expect(Array.from(a.negative).every((i) => labels[i] === 0)).toBe(true);
  });

  it('fills with negatives when positives are short, and returns empty lists for empty labels', () => {
    const s = sampleBalanced([1, 0, 0, 0, -1], 4, 0.75, createRng(3));
    expect([Array.from(s.positive), Array.from(s.negative)]).toEqual([[0], [1, 2, 3]]);
    const e = sampleBalanced([], 256, 0.5, createRng(3));
    expect(e.positive.length + e.negative.length).toBe(0);
  });
});

describe.skipIf(!hasReference())(fixtureTitle('rpn_losses.json sampler_count_rule'), () => {
  const ref = hasReference() ? loadReference('rpn_losses.json') : null;
  it('draws the reference counts', () => {
    for (const r of ref.sampler_count_rule) {
      const labels = new Int8Array(r.positives_available + r.negatives_available + 3).fill(-1);
      labels.fill(1, 0, r.positives_available);
      labels.fill(0, r.positives_available, r.positives_available + r.negatives_available);
      const s = sampleBalanced(labels, r.batch_size_per_image, r.positive_fraction, createRng(5));
      expect([s.positive.length, s.negative.length], JSON.stringify(r)).toEqual([r.num_pos, r.num_neg]);
    }
  });

  it('builds the RPN labels and regression targets', () => {
    const s = selectRpnTrainingSamples(f32(ref.anchors), f32(ref.gt_boxes), given(ref.sampled_pos_inds, ref.sampled_neg_inds), rpnOptions);
    expect(Array.from(s.labels)).toEqual(ref.labels);
    expect(firstMismatch(s.regressionTargets, f32(ref.regression_targets), { abs: 1e-5, rel: FIXTURE_ROUNDING_REL })).toBeNull();
  });
});

describe.skipIf(!hasReference())(fixtureTitle('roi_losses.json select_training_samples'), () => {
  const ref = hasReference() ? loadReference('roi_losses.json') : null;
  it('appends gt, matches, keeps sampled rows in ascending order and encodes their targets', () => {
    let seen: number[] = [];
    const sampler: Sampler = (labels) => { seen = Array.from(labels); return given(ref.sampled_pos_inds, ref.sampled_neg_inds)(labels); };
    const s = selectRoiTrainingSamples(f32(ref.proposals), f32(ref.gt_boxes), ref.gt_labels, sampler, roiOptions);
    expect(seen).toEqual(ref.labels_before_sampling);
    expect(Array.from(s.sampledIdxs)).toEqual(ref.sampled_inds_in_order);
    expect(Array.from(s.labels)).toEqual(ref.sampled_labels);
    expect(Array.from(s.matchedIdxs)).toEqual(ref.sampled_matched_idxs);
    expect(Array.from(s.proposals)).toEqual(Array.from(f32(ref.sampled_inds_in_order.flatMap((i: number) => ref.proposals_with_gt_appended[i]))));
    expect(firstMismatch(s.regressionTargets, f32(ref.regression_targets), { abs: 1e-5, rel: FIXTURE_ROUNDING_REL })).toBeNull();
  });

  it('samples only background when an image has no gt', () => {
    const s = selectRoiTrainingSamples(f32(ref.proposals), new Float32Array(0), [], (l) => sampleBalanced(l, 4, 0.75, createRng(9)), roiOptions);
    expect(Array.from(s.labels)).toEqual([0, 0, 0, 0]);
    expect(s.regressionTargets.every(Number.isFinite)).toBe(true);
  });
});
