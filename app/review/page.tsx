import Link from 'next/link';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { reviewQueue } from '@/lib/review/service';

type Row = Awaited<ReturnType<typeof reviewQueue>>['submitted'][number];

function QueueTable({ rows, empty, testId, screen }: { rows: Row[]; empty: string; testId: string; screen: 'review' | 'annotate' }) {
  if (rows.length === 0) return <p className="muted">{empty}</p>;
  return (
    <table className="card" data-testid={testId}>
      <thead><tr><th>Slice</th><th>By</th><th>Submitted</th><th /></tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id}>
            <td>{r.study.scanKey} #{r.index}</td>
            <td>{r.submittedBy?.name ?? '—'}</td>
            <td>{r.submittedAt ? r.submittedAt.toISOString().replace('T', ' ').slice(0, 16) : '—'}</td>
            <td>
              <Link href={`/${screen}/${r.id}`}>Review</Link> · <Link href={`/slices/${r.id}/history`}>History</Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default async function ReviewPage() {
  await requirePageRole('REVIEWER', '/review');
  const { submitted, proposals } = await reviewQueue(getDb());
  return (
    <div className="stack">
      <h1>Review</h1>
      <p className="muted">
        How much reviewers and annotators change the model’s proposals: <Link href="/effort">correction effort</Link>.
      </p>
      <h2>Submitted by annotators ({submitted.length})</h2>
      <QueueTable rows={submitted} empty="Nothing waiting: every submitted slice has been reviewed." testId="review-submitted" screen="review" />
      <h2>Model proposals awaiting a human ({proposals.length})</h2>
      <QueueTable rows={proposals} empty="No untouched model proposals." testId="review-proposals" screen="annotate" />
    </div>
  );
}
