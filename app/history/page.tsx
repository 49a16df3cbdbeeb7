import Link from 'next/link';
import { userHistory } from '@/lib/annotations/service';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { STATUS_LABELS, type SliceStatusName } from '@/lib/slices/browse';

export default async function HistoryPage() {
  const user = await requirePageRole('ANNOTATOR', '/history');
  const rows = await userHistory(getDb(), user.id);
  return (
    <div className="stack">
      <h1>My work</h1>
      {rows.length === 0 ? (
        <p className="muted">Nothing yet: slices you save or submit appear here.</p>
      ) : (
        <table className="card" data-testid="history">
          <thead><tr><th>Slice</th><th>Status</th><th>Polygons</th><th>Last worked on</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.sliceId}>
                <td><Link href={`/annotate/${r.sliceId}`}>{r.studyKey} #{r.index}</Link></td>
                <td>
                  {r.returned ? (
                    <>
                      <span className="badge REJECTED" data-testid="rejected-badge">Rejected</span>{' '}
                      <span className="muted">{r.returned.reviewer ?? 'A reviewer'}: “{r.returned.comment}”</span>
                    </>
                  ) : (
                    <span className={`badge ${r.status}`}>{STATUS_LABELS[r.status as SliceStatusName]}</span>
                  )}
                </td>
                <td>{r.polygons}</td>
                <td>{r.lastWorkedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
