import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { sliceHistory } from '@/lib/review/history';

const fmt = (v: number | undefined | null) => (v === null || v === undefined ? '—' : v.toFixed(3));
const delta = (added: number, removed: number, changed: number) => [added && `+${added}`, removed && `−${removed}`, changed && `~${changed}`].filter(Boolean).join(' ') || '·';

export default async function SliceHistoryPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePageRole('ANNOTATOR', `/slices/${id}/history`);
  const history = await sliceHistory(getDb(), id);
  if (!history) notFound();
  return (
    <div className="stack">
      <h1>History of the slice</h1>
      <p><Link href={`/annotate/${id}`}>Open in the editor</Link></p>
      <table className="card" data-testid="slice-history">
        <thead>
          <tr><th>Version</th><th>When (UTC)</th><th>Who</th><th>What</th><th>GGO</th><th>C</th><th>Change GGO (+ − ~)</th><th>Change C</th><th>IoU vs previous (GGO / C)</th><th>Class</th><th>Comment</th></tr>
        </thead>
        <tbody>
          {history.map((h) => (
            <tr key={h.sliceVersion} data-testid="history-row">
              <td>{h.sliceVersion}</td>
              <td>{h.at.toISOString().replace('T', ' ').slice(0, 19)}</td>
              <td>{h.authors.join(', ') || 'import'}</td>
              <td>{h.kinds.join(', ')}</td>
              <td>{h.counts.GGO}</td>
              <td>{h.counts.C}</td>
              <td>{delta(h.added.GGO, h.removed.GGO, h.changed.GGO)}</td>
              <td>{delta(h.added.C, h.removed.C, h.changed.C)}</td>
              <td>{h.overlapWithPrevious ? `${fmt(h.overlapWithPrevious.GGO?.iou)} / ${fmt(h.overlapWithPrevious.C?.iou)}` : '—'}</td>
              <td>{h.sliceClass ?? '—'}</td>
              <td>{h.comment ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
