import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { activeVersion, gateVerdict, passesGate, promoteIfBetter, registerVersion, rollbackTo } from './versions';

describe('promotion gate', () => {
  it('promotes when at least as good, or forced, or nothing is active', () => {
    expect(passesGate(0.5, null)).toBe(true);
    expect(passesGate(0.5, 0.5)).toBe(true);
    expect(passesGate(0.49, 0.5)).toBe(false);
    expect(passesGate(0.1, 0.5, true)).toBe(true);
    expect(passesGate(Number.NaN, 0.5)).toBe(false);
  });
});

describe('gate on figures measured on the same slices', () => {
  it('refuses a candidate below the active version or below the base model, unless forced', () => {
    expect(gateVerdict({ candidate: 0.5, active: 0.4, base: 0.45 }).pass).toBe(true);
    expect(gateVerdict({ candidate: 0.42, active: 0.4, base: 0.45 })).toMatchObject({ pass: false, reason: expect.stringMatching(/base model/) });
    expect(gateVerdict({ candidate: 0.3, active: 0.4, base: null })).toMatchObject({ pass: false, reason: expect.stringMatching(/active version/) });
    expect(gateVerdict({ candidate: 0.3, active: null, base: 0.45 }).pass).toBe(false);
    expect(gateVerdict({ candidate: 0.5, active: null, base: null })).toMatchObject({ pass: true, reason: 'first version' });
    expect(gateVerdict({ candidate: 0.1, active: 0.4, base: 0.45 }, true).pass).toBe(true);
  });
});

describe('model versions', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
  });
  afterAll(async () => t?.cleanup());
  const version = (gateMetric: number) => registerVersion(t.db, { kind: 'segmenter', path: `models/x-${gateMetric}`, config: {}, metrics: { dice: gateMetric }, gateMetric, trainingSummary: {}, labelledSlices: 10 });

  it('numbers versions per kind, keeps one active, refuses a worse one, and rolls back by force', async () => {
    const v1 = await version(0.4);
    const v2 = await version(0.5);
    const v3 = await version(0.45);
    expect([v1.number, v2.number, v3.number]).toEqual([1, 2, 3]);
    expect((await promoteIfBetter(t.db, v1.id)).promoted).toBe(true);
    expect((await promoteIfBetter(t.db, v2.id)).promoted).toBe(true);
    const refused = await promoteIfBetter(t.db, v3.id);
    expect(refused.promoted).toBe(false);
    expect(refused.reason).toMatch(/below/);
    expect((await activeVersion(t.db, 'segmenter'))?.id).toBe(v2.id);
    const back = await rollbackTo(t.db, v1.id, null);
    expect(back).toMatchObject({ promoted: true, previousActiveId: v2.id });
    expect((await activeVersion(t.db, 'segmenter'))?.id).toBe(v1.id);
    expect(await t.db.modelVersion.count({ where: { kind: 'segmenter', active: true } })).toBe(1);
  });

  it('judges by figures measured now when the active version is the one measured, else by stored figures', async () => {
    const active = (await activeVersion(t.db, 'segmenter'))!;
    // stored figure 0.3 is below the active's stored 0.4, but on the same slices it beats it
    const candidate = await version(0.3);
    const stale = await promoteIfBetter(t.db, candidate.id, { figures: { candidate: 0.6, active: 0.5, activeId: 'another-version', base: null } });
    expect(stale.promoted).toBe(false);
    const now = await promoteIfBetter(t.db, candidate.id, { figures: { candidate: 0.6, active: 0.5, activeId: active.id, base: 0.55 } });
    expect(now).toMatchObject({ promoted: true, previousActiveId: active.id });
  });
});
