import Link from 'next/link';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { effortRows, groupEffort, type EffortGroup } from '@/lib/review/effortSummary';

const f = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(3));

function GroupTable({ title, groups, testId }: { title: string; groups: EffortGroup[]; testId: string }) {
  return (
    <section className="stack">
      <h2>{title}</h2>
      <table className="card" data-testid={testId}>
        <thead><tr><th /><th>Slices</th><th>Dice GGO</th><th>Dice C</th><th>IoU GGO</th><th>IoU C</th><th>Editing time (s, mean)</th></tr></thead>
        <tbody>
          {groups.map((g) => (
            <tr key={g.key}><td>{g.key}</td><td>{g.slices}</td><td>{f(g.meanDice.GGO)}</td><td>{f(g.meanDice.C)}</td><td>{f(g.meanIoU.GGO)}</td><td>{f(g.meanIoU.C)}</td><td>{g.meanEditingS.toFixed(1)}</td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Correction effort: how much people changed the model's proposals before accepting (all roles can read it). */
export default async function EffortPage() {
  await requirePageRole('ANNOTATOR', '/effort');
  const rows = await effortRows(getDb());
  return (
    <div className="stack">
      <h1>Correction effort</h1>
      <p className="muted">
        For every accepted slice that started from a model proposal: the overlap between the proposal and the accepted polygons
        (1 = accepted unchanged) and the active editing time. Higher overlap and shorter editing mean the model saves work.
      </p>
      {rows.length === 0 ? (
        <p className="muted">No accepted slice has started from a model proposal yet.</p>
      ) : (
        <>
          <GroupTable title="Per model version" groups={groupEffort(rows, (r) => r.modelVersion ?? 'unknown')} testId="effort-by-version" />
          <GroupTable title="Per annotator" groups={groupEffort(rows, (r) => r.annotator ?? 'unknown')} testId="effort-by-annotator" />
          <section className="stack">
            <h2>Per slice</h2>
            <table className="card" data-testid="effort-by-slice">
              <thead><tr><th>Slice</th><th>Annotator</th><th>Model</th><th>Dice GGO</th><th>Dice C</th><th>Editing (s)</th></tr></thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.sliceId}>
                    <td><Link href={`/slices/${r.sliceId}/history`}>{r.sliceLabel}</Link></td>
                    <td>{r.annotator ?? '—'}</td><td>{r.modelVersion ?? '—'}</td>
                    <td>{f(r.perClass.GGO?.dice)}</td><td>{f(r.perClass.C?.dice)}</td><td>{(r.editingMs / 1000).toFixed(1)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </div>
  );
}
