import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveSliceAnnotations, submitSlice, loadEditorState } from '@/lib/annotations/service';
import { createTestStudy, createTestUser } from '@/lib/testing/fixtures';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import type { PublicUser } from '@/lib/users/service';
import { sliceHistory } from './history';
import { acceptSlice, rejectSlice, reviewQueue } from './service';

const square = (x: number, y: number, s = 10): [number, number][] => [[x, y], [x + s, y], [x + s, y + s], [x, y + s]];

describe('review decisions and history', () => {
  let t: TestDb;
  let ada: PublicUser;
  let rey: PublicUser;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
    ada = await createTestUser(t.db, 'ANNOTATOR', 'Ada');
    rey = await createTestUser(t.db, 'REVIEWER', 'Rey');
  });
  afterAll(async () => t?.cleanup());

  it('reject with a comment, fix, resubmit, accept: the annotator sees the comment and the history shows each revision', async () => {
    const { sliceIds } = await createTestStudy(t.db, { slices: 1 });
    const id = sliceIds[0];
    const s1 = await saveSliceAnnotations(t.db, id, ada, { baseVersion: 0, polygons: [{ clientKey: 'a', lesionClass: 'GGO', points: square(5, 5) }], sliceClass: 'COVID-19' });
    const sub1 = await submitSlice(t.db, id, ada, s1.version);
    expect((await reviewQueue(t.db)).submitted.map((s) => s.id)).toContain(id);
    await expect(rejectSlice(t.db, id, rey, sub1.version, '  ')).rejects.toThrow(/needs a comment/);
    const rej = await rejectSlice(t.db, id, rey, sub1.version, 'The consolidation at the right base is missing');
    let state = await loadEditorState(t.db, id);
    expect(state.status).toBe('IN_PROGRESS');
    expect(state.review).toMatchObject({ action: 'REJECT', comment: 'The consolidation at the right base is missing', reviewer: 'Rey' });

    const s2 = await saveSliceAnnotations(t.db, id, ada, {
      baseVersion: rej.version,
      polygons: [{ id: s1.ids.a, clientKey: 'a', lesionClass: 'GGO', points: square(5, 5) }, { clientKey: 'c', lesionClass: 'C', points: square(30, 30, 8) }],
      sliceClass: 'COVID-19',
    });
    const sub2 = await submitSlice(t.db, id, ada, s2.version);
    await expect(acceptSlice(t.db, id, rey, sub2.version - 1)).rejects.toThrow(/changed since/);
    await acceptSlice(t.db, id, rey, sub2.version);
    state = await loadEditorState(t.db, id);
    expect(state.status).toBe('ACCEPTED');
    expect(state.polygons.every((p) => p.status === 'ACCEPTED')).toBe(true);

    const history = (await sliceHistory(t.db, id))!;
    expect(history.map((h) => h.kinds.join('+'))).toEqual(['edit', 'submit', 'reject', 'edit', 'submit', 'accept']);
    expect(history[2].comment).toMatch(/consolidation/);
    expect(history[3]).toMatchObject({ added: { GGO: 0, C: 1 }, counts: { GGO: 1, C: 1 }, authors: ['Ada'] });
    expect(history[3].overlapWithPrevious?.GGO?.iou).toBe(1);
    expect(history[5].authors).toEqual(['Rey']);
  });

  it('records the correction effort of a slice that started from a model proposal', async () => {
    const { sliceIds } = await createTestStudy(t.db, { slices: 1 });
    const id = sliceIds[0];
    const version = await t.db.modelVersion.create({ data: { kind: 'segmenter', number: 99, path: 'x', config: {}, metrics: {}, gateMetric: 0.5, trainingSummary: {}, labelledSlices: 1 } });
    await t.db.annotation.create({ data: { sliceId: id, lesionClass: 'GGO', points: square(0, 0), holes: [], source: 'MODEL', modelVersionId: version.id, score: 0.9 } });
    const saved = await saveSliceAnnotations(t.db, id, ada, { baseVersion: 0, polygons: [{ clientKey: 'a', lesionClass: 'GGO', points: square(5, 0) }], sliceClass: null, activeMs: 42_000, proposalVersionId: version.id });
    const sub = await submitSlice(t.db, id, ada, saved.version);
    await acceptSlice(t.db, id, rey, sub.version);
    const effort = await t.db.correctionEffort.findUniqueOrThrow({ where: { sliceId: id } });
    expect(effort).toMatchObject({ modelVersionId: version.id, editingMs: 42_000, annotatorId: ada.id });
    expect((effort.perClass as { GGO: { iou: number } }).GGO.iou).toBeCloseTo(50 / 150, 6);
  });
});
