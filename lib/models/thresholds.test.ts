import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSegmenterConfig } from '@/lib/model/config';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { effectiveThresholds, overrideAllClasses, proposalThresholdsOf, setThresholdOverride, thresholdOverrideSchema } from './thresholds';
import { registerVersion } from './versions';

describe('effectiveThresholds', () => {
  it("takes an admin's override over the calibrated thresholds, and the default where a class has neither", () => {
    const version = { proposalThresholds: { GGO: { score: 0.3, mask: 0.4 }, C: { score: 0.6, mask: 0.5 } }, thresholdOverrides: { C: { score: 0.45, mask: 0.5 } } };
    expect(effectiveThresholds(version, ['GGO', 'C', 'lesion'])).toEqual({
      GGO: { score: 0.3, mask: 0.4, source: 'calibrated' },
      C: { score: 0.45, mask: 0.5, source: 'override' },
      lesion: { score: 0.5, mask: 0.5, source: 'default' },
    });
    expect(proposalThresholdsOf({ proposalThresholds: null, thresholdOverrides: {} }, ['GGO'])).toEqual({ GGO: { score: 0.5, mask: 0.5 } });
  });

  it('overrides the score or the mask threshold of every class, keeping the other as it was', () => {
    const base = { GGO: { score: 0.3, mask: 0.4 }, C: { score: 0.6, mask: 0.5 } };
    expect(overrideAllClasses(base, { score: 0 })).toEqual({ GGO: { score: 0, mask: 0.4 }, C: { score: 0, mask: 0.5 } });
    expect(overrideAllClasses(base, { mask: 0.7 })).toEqual({ GGO: { score: 0.3, mask: 0.7 }, C: { score: 0.6, mask: 0.7 } });
    expect(overrideAllClasses(base, {})).toEqual(base);
  });

  it('refuses thresholds outside [0, 1], a mask threshold of 0 or 1, and extra keys', () => {
    expect(thresholdOverrideSchema.safeParse({ GGO: { score: 1.2, mask: 0.5 } }).success).toBe(false);
    expect(thresholdOverrideSchema.safeParse({ GGO: { score: 0.5, mask: 1 } }).success).toBe(false);
    expect(thresholdOverrideSchema.safeParse({ GGO: { score: 0.5, mask: 0.5, x: 1 } }).success).toBe(false);
    expect(thresholdOverrideSchema.safeParse(null).success).toBe(true);
  });
});

describe('setThresholdOverride', () => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb('sqlite'); });
  afterAll(async () => t?.cleanup());

  it("stores an admin's override for the version's classes, clears it with null, and refuses unknown classes and classifiers", async () => {
    const seg = await registerVersion(t.db, {
      kind: 'segmenter', path: 'models/s', config: makeSegmenterConfig('tiny', 'both'), metrics: {}, gateMetric: 0.4, trainingSummary: {}, labelledSlices: 4,
      proposalThresholds: { GGO: { score: 0.3, mask: 0.4 }, C: { score: 0.6, mask: 0.5 } },
    });
    const set = await setThresholdOverride(t.db, seg.id, { GGO: { score: 0.7, mask: 0.5 } });
    expect(set.thresholds.GGO).toEqual({ score: 0.7, mask: 0.5, source: 'override' });
    expect(set.thresholds.C.source).toBe('calibrated');
    await expect(setThresholdOverride(t.db, seg.id, { lesion: { score: 0.5, mask: 0.5 } })).rejects.toThrow(/Unknown class "lesion"/);
    expect((await setThresholdOverride(t.db, seg.id, null)).thresholds.GGO).toEqual({ score: 0.3, mask: 0.4, source: 'calibrated' });
    const cls = await registerVersion(t.db, { kind: 'classifier', path: 'models/c', config: {}, metrics: {}, gateMetric: 0.8, trainingSummary: {}, labelledSlices: 4 });
    await expect(setThresholdOverride(t.db, cls.id, null)).rejects.toThrow(/only segmenters/);
    await expect(setThresholdOverride(t.db, 'nope', null)).rejects.toThrow(/not found/);
  });
});
