import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveSliceAnnotations, submitSlice } from '@/lib/annotations/service';
import type { LesionPolygon, Point } from '@/lib/imaging/contours';
import { acceptSlice } from '@/lib/review/service';
import { createTestStudy, createTestUser } from '@/lib/testing/fixtures';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { agreementComparison, agreementTable, diceByClass, finalSetsByAuthor, sliceAgreement, summariseAgreement, type RevisionRecord } from './agreement';
import { loadAgreement } from './load';

const square = (x: number, y: number, s = 10): Point[] => [[x, y], [x + s, y], [x + s, y + s], [x, y + s]];
const poly = (lesionClass: 'GGO' | 'C', points: Point[]): LesionPolygon => ({ lesionClass, points, holes: [] });

describe('diceByClass on hand-made polygons', () => {
  it('gives 2|A∩B|/(|A|+|B|): two 10×10 squares overlapping by half agree at 0.5', () => {
    const d = diceByClass([poly('GGO', square(0, 0))], [poly('GGO', square(5, 0))], 32, 32);
    expect(d.GGO).toBeCloseTo(0.5, 10);
    expect(d['GGO+C']).toBeCloseTo(0.5, 10);
    expect(d.C).toBeNull(); // neither labelled C: no evidence, not a perfect score
  });

  it('counts a lesion both drew but classed differently as lesion agreement only', () => {
    const d = diceByClass([poly('GGO', square(2, 2))], [poly('C', square(2, 2))], 20, 20);
    expect(d).toEqual({ GGO: 0, C: 0, 'GGO+C': 1 });
  });

  it('subtracts holes: a ring against its filled square', () => {
    const ring: LesionPolygon = { lesionClass: 'GGO', points: square(0, 0, 10), holes: [square(2, 2, 6)] };
    // Ring covers 100 − 36 = 64 px, all inside the filled square's 100: Dice = 128 / 164.
    expect(diceByClass([ring], [poly('GGO', square(0, 0, 10))], 16, 16).GGO).toBeCloseTo(128 / 164, 10);
  });
});

/** A revision as the annotation service writes it. */
let clock = 0;
function rev(annotationId: string, version: number, action: string, authorId: string, lesionClass: 'GGO' | 'C', points: Point[], status: string): RevisionRecord {
  return { annotationId, version, action, authorId, createdAt: new Date(Date.UTC(2026, 0, 1) + 1000 * ++clock), snapshot: { lesionClass, points, holes: [], status } };
}

describe('finalSetsByAuthor', () => {
  it('does not count a reviewer who accepts unchanged work as a second labeller', () => {
    const sets = finalSetsByAuthor([
      rev('a1', 1, 'CREATE', 'ada', 'GGO', square(0, 0), 'DRAFT'),
      rev('a1', 2, 'STATUS', 'ada', 'GGO', square(0, 0), 'SUBMITTED'),
      rev('a1', 3, 'STATUS', 'rey', 'GGO', square(0, 0), 'ACCEPTED'),
    ]);
    expect([...sets.keys()]).toEqual(['ada']);
    expect(sets.get('ada')!.polygons).toEqual([poly('GGO', square(0, 0))]);
  });

  it("gives a correcting reviewer their own set, and keeps the annotator's submitted one", () => {
    const sets = finalSetsByAuthor([
      rev('a1', 1, 'CREATE', 'ada', 'GGO', square(0, 0), 'DRAFT'),
      rev('a2', 1, 'CREATE', 'ada', 'C', square(20, 20), 'DRAFT'),
      rev('a1', 2, 'STATUS', 'ada', 'GGO', square(0, 0), 'SUBMITTED'),
      rev('a2', 2, 'STATUS', 'ada', 'C', square(20, 20), 'SUBMITTED'),
      rev('a1', 3, 'UPDATE', 'rey', 'GGO', square(5, 0), 'SUBMITTED'),
      rev('a2', 3, 'DELETE', 'rey', 'C', square(20, 20), 'SUBMITTED'),
      rev('a1', 4, 'STATUS', 'rey', 'GGO', square(5, 0), 'ACCEPTED'),
    ]);
    expect(sets.get('ada')!.polygons).toEqual([poly('GGO', square(0, 0)), poly('C', square(20, 20))]);
    expect(sets.get('rey')!.polygons).toEqual([poly('GGO', square(5, 0))]);
  });

  it("keeps a person's latest submission after a rejection, and ignores drafts and rejected sets", () => {
    const sets = finalSetsByAuthor([
      rev('a1', 1, 'CREATE', 'ada', 'GGO', square(0, 0), 'DRAFT'),
      rev('a1', 2, 'STATUS', 'ada', 'GGO', square(0, 0), 'SUBMITTED'),
      rev('a1', 3, 'STATUS', 'rey', 'GGO', square(0, 0), 'REJECTED'),
      rev('a1', 4, 'UPDATE', 'ada', 'GGO', square(2, 2), 'REJECTED'),
      rev('a1', 5, 'STATUS', 'ada', 'GGO', square(2, 2), 'SUBMITTED'),
      rev('a9', 1, 'CREATE', 'bob', 'C', square(9, 9), 'DRAFT'),
    ]);
    expect([...sets.keys()]).toEqual(['ada']);
    expect(sets.get('ada')!.polygons).toEqual([poly('GGO', square(2, 2))]);
  });

  it('treats imported accepted labels as their importer\'s set, whatever order the rows come in', () => {
    const revisions = [
      rev('i1', 1, 'CREATE', 'imp', 'GGO', square(0, 0), 'ACCEPTED'),
      rev('i2', 1, 'CREATE', 'imp', 'C', square(10, 10), 'ACCEPTED'),
      rev('i2', 2, 'UPDATE', 'rey', 'C', square(12, 10), 'ACCEPTED'),
      rev('i2', 3, 'STATUS', 'rey', 'C', square(12, 10), 'SUBMITTED'),
    ];
    const sets = finalSetsByAuthor([...revisions].reverse());
    expect(sets.get('imp')!.polygons).toHaveLength(2);
    expect(sets.get('rey')!.polygons).toEqual([poly('GGO', square(0, 0)), poly('C', square(12, 10))]);
  });
});

describe('sliceAgreement and summariseAgreement', () => {
  it('pairs every two labellers of a slice and averages per class over the pairs with evidence', () => {
    const slice = { id: 's1', width: 40, height: 40, label: 'study #0' };
    const pairs = sliceAgreement(slice, [
      rev('a1', 1, 'CREATE', 'ada', 'GGO', square(0, 0), 'DRAFT'),
      rev('a1', 2, 'STATUS', 'ada', 'GGO', square(0, 0), 'SUBMITTED'),
      rev('a1', 3, 'UPDATE', 'rey', 'GGO', square(5, 0), 'SUBMITTED'),
      rev('a1', 4, 'STATUS', 'rey', 'GGO', square(5, 0), 'ACCEPTED'),
    ]);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({ sliceId: 's1', authorA: 'ada', authorB: 'rey' });
    const other = { sliceId: 's2', sliceLabel: 'study #1', authorA: 'ada', authorB: 'bob', dice: { GGO: 1, C: 0.25, 'GGO+C': 0.9 } };
    const summary = summariseAgreement([...pairs, other]);
    expect(summary.pairs).toBe(2);
    expect(summary.slices).toBe(2);
    expect(summary.meanDice.GGO).toEqual({ mean: 0.75, n: 2 });
    expect(summary.meanDice.C).toEqual({ mean: 0.25, n: 1 });
    const table = agreementTable([other], (id) => id.toUpperCase());
    expect(table.rows).toEqual([{ slice: 'study #1', first: 'ADA', second: 'BOB', 'dice.GGO': 1, 'dice.C': 0.25, 'dice.GGO+C': 0.9 }]);
  });
});

describe('loadAgreement on the revision history the annotation and review services write', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
  });
  afterAll(async () => t?.cleanup());

  it('finds the slice an annotator submitted and a reviewer corrected, and measures their Dice', async () => {
    const ada = await createTestUser(t.db, 'ANNOTATOR', 'Ada');
    const rey = await createTestUser(t.db, 'REVIEWER', 'Rey');
    const { sliceIds } = await createTestStudy(t.db, { slices: 2, width: 40, height: 40, scanKey: 'agree' });
    // Slice 0: Ada's GGO square, Rey moves it by half its width and accepts. Slice 1: Rey accepts unchanged.
    for (const [k, id] of sliceIds.entries()) {
      const saved = await saveSliceAnnotations(t.db, id, ada, { baseVersion: 0, polygons: [{ clientKey: 'g', lesionClass: 'GGO', points: square(0, 0) }], sliceClass: null });
      let { version } = await submitSlice(t.db, id, ada, saved.version);
      if (k === 0) version = (await saveSliceAnnotations(t.db, id, rey, { baseVersion: version, polygons: [{ id: saved.ids.g, clientKey: 'g', lesionClass: 'GGO', points: square(5, 0) }], sliceClass: null })).version;
      await acceptSlice(t.db, id, rey, version);
    }
    const report = await loadAgreement(t.db);
    expect(report.summary.pairs).toBe(1);
    expect(report.table.rows).toEqual([{ slice: 'agree #0', first: 'Ada', second: 'Rey', 'dice.GGO': 0.5, 'dice.C': null, 'dice.GGO+C': 0.5 }]);
    expect(report.summary.meanDice['GGO+C']).toEqual({ mean: 0.5, n: 1 });
  });
});

describe('agreementComparison', () => {
  it("puts the people's mean Dice, the active model's per-slice Dice and the published 0.70 side by side", () => {
    const summary = summariseAgreement([{ sliceId: 's', sliceLabel: 's', authorA: 'a', authorB: 'b', dice: { GGO: 0.6, C: null, 'GGO+C': 0.65 } }]);
    const metrics = { maskAP50: {}, maskAP75: {}, mAP: {}, dice: { GGO: 0.5, C: 0.4, mean: 0.45 }, diceMeanOverSlices: { GGO: 0.55, C: 0.35, mean: 0.45 }, numSlices: 12 };
    const active = { id: 'v', number: 4, createdAt: '', labelledSlices: 40, gateMetric: 0.45, active: true, metrics };
    const table = agreementComparison(summary, active);
    expect(table.rows).toEqual([
      { who: 'Human vs human (this project)', GGO: 0.6, C: null, 'GGO+C': 0.65, n: 1 },
      { who: 'Model v4 vs human', GGO: 0.55, C: 0.35, 'GGO+C': 0.45, n: 12 },
      { who: 'Published inter-observer agreement', GGO: null, C: null, 'GGO+C': 0.7, n: null },
    ]);
    expect(agreementComparison(summary, undefined).rows[1]).toMatchObject({ who: 'Model vs human (no active segmenter)', GGO: null });
  });
});
