import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEditorState, saveSliceAnnotations, submitSlice } from '@/lib/annotations/service';
import { createTestStudy, createTestUser } from '@/lib/testing/fixtures';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import type { PublicUser } from '@/lib/users/service';
import { rejectSlice } from './service';
import { diffOutlines, previousSubmissionOutlines, type Outline } from './submissionDiff';

const square = (x: number, y: number, s = 10): [number, number][] => [[x, y], [x + s, y], [x + s, y + s], [x, y + s]];
const outline = (x: number): Outline => ({ lesionClass: 'GGO', points: square(x, 5), holes: [] });

describe('what a resubmission changed', () => {
  it('marks outlines added, changed and unchanged by id, and lists the removed', () => {
    const previous = new Map([['a', outline(5)], ['b', outline(20)], ['gone', outline(40)]]);
    const diff = diffOutlines(previous, [{ id: 'a', ...outline(5) }, { id: 'b', ...outline(21) }, { id: 'new', ...outline(30) }]);
    expect(diff.change).toEqual({ a: 'unchanged', b: 'changed', new: 'added' });
    expect(diff.removed).toEqual([{ id: 'gone', ...outline(40) }]);
    expect(diffOutlines(previous, [{ id: 'a', ...outline(5), lesionClass: 'C' }]).change.a).toBe('changed');
  });

  describe('from the revisions', () => {
    let t: TestDb;
    let ada: PublicUser;
    let rey: PublicUser;
    beforeAll(async () => {
      t = await createTestDb('sqlite');
      ada = await createTestUser(t.db, 'ANNOTATOR', 'Ada');
      rey = await createTestUser(t.db, 'REVIEWER', 'Rey');
    });
    afterAll(async () => t?.cleanup());

    it('gives the outlines of the previous submission: none after the first, those the reviewer rejected after a resubmission', async () => {
      const { sliceIds } = await createTestStudy(t.db, { slices: 1 });
      const id = sliceIds[0];
      const s1 = await saveSliceAnnotations(t.db, id, ada, { baseVersion: 0, polygons: [{ clientKey: 'a', lesionClass: 'GGO', points: square(5, 5) }, { clientKey: 'b', lesionClass: 'C', points: square(30, 30) }], sliceClass: 'COVID-19' });
      const sub1 = await submitSlice(t.db, id, ada, s1.version);
      expect(await previousSubmissionOutlines(t.db, id)).toBeNull();
      const rej = await rejectSlice(t.db, id, rey, sub1.version, 'The C outline is wrong');
      // Ada keeps a, moves nothing of it, deletes b and adds c.
      const s2 = await saveSliceAnnotations(t.db, id, ada, { baseVersion: rej.version, polygons: [{ id: s1.ids.a, clientKey: 'a', lesionClass: 'GGO', points: square(5, 5) }, { clientKey: 'c', lesionClass: 'C', points: square(40, 40) }], sliceClass: 'COVID-19' });
      await submitSlice(t.db, id, ada, s2.version);
      const previous = await previousSubmissionOutlines(t.db, id);
      expect([...previous!.keys()].sort()).toEqual([s1.ids.a, s1.ids.b].sort());
      const now = await loadEditorState(t.db, id);
      const diff = diffOutlines(previous!, now.polygons.map((p) => ({ id: p.id, lesionClass: p.lesionClass, points: p.points, holes: p.holes })));
      expect(diff.change).toEqual({ [s1.ids.a]: 'unchanged', [s2.ids.c]: 'added' });
      expect(diff.removed.map((r) => r.id)).toEqual([s1.ids.b]);
    });
  });
});
