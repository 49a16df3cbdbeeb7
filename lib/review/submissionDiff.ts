/**
 * What a resubmission changed: the slice's outlines now against those of its previous submission (the version a
 * reviewer last saw), by annotation id. The review screen draws added, changed and removed outlines differently.
 */
import type { Db } from '@/lib/db/client';
import type { LesionClass, Point } from '@/lib/imaging/contours';

export interface Outline {
  lesionClass: LesionClass;
  points: Point[];
  holes: Point[][];
}

export type OutlineChange = 'added' | 'changed' | 'unchanged';

export interface OutlineDiff {
  /** Each current outline's change, by annotation id. */
  change: Record<string, OutlineChange>;
  /** Outlines of the previous submission that are gone now. */
  removed: (Outline & { id: string })[];
}

const sameShape = (a: Outline, b: Outline) => a.lesionClass === b.lesionClass && JSON.stringify(a.points) === JSON.stringify(b.points) && JSON.stringify(a.holes) === JSON.stringify(b.holes);

export function diffOutlines(previous: ReadonlyMap<string, Outline>, current: readonly (Outline & { id: string })[]): OutlineDiff {
  const change: Record<string, OutlineChange> = {};
  for (const p of current) {
    const before = previous.get(p.id);
    change[p.id] = !before ? 'added' : sameShape(before, p) ? 'unchanged' : 'changed';
  }
  const now = new Set(current.map((p) => p.id));
  const removed = [...previous].filter(([id]) => !now.has(id)).map(([id, o]) => ({ id, lesionClass: o.lesionClass, points: o.points, holes: o.holes }));
  return { change, removed };
}

interface Snapshot extends Outline {
  status: string;
}

/**
 * The human outlines as they stood at the slice's previous submission (the one before the latest), replayed from
 * the revisions; null when it has been submitted at most once.
 */
export async function previousSubmissionOutlines(db: Db, sliceId: string): Promise<Map<string, Outline> | null> {
  const revisions = await db.annotationRevision.findMany({
    where: { annotation: { sliceId, source: { not: 'MODEL' } } },
    orderBy: [{ sliceVersion: 'asc' }, { createdAt: 'asc' }],
    select: { annotationId: true, sliceVersion: true, action: true, snapshot: true },
  });
  const state = new Map<string, Outline>();
  const atSubmission: Map<string, Outline>[] = [];
  for (let k = 0; k < revisions.length; k++) {
    const r = revisions[k];
    const snap = r.snapshot as unknown as Snapshot;
    if (r.action === 'DELETE') state.delete(r.annotationId);
    else state.set(r.annotationId, { lesionClass: snap.lesionClass, points: snap.points, holes: snap.holes });
    const versionEnds = revisions[k + 1]?.sliceVersion !== r.sliceVersion;
    const submits = revisions.some((q) => q.sliceVersion === r.sliceVersion && q.action === 'STATUS' && (q.snapshot as unknown as Snapshot).status === 'SUBMITTED');
    if (versionEnds && submits) atSubmission.push(new Map(state));
  }
  return atSubmission.length >= 2 ? atSubmission[atSubmission.length - 2] : null;
}
