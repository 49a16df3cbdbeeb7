import Link from 'next/link';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { returnedSlices } from '@/lib/review/returned';
import { NextSliceButton } from './NextSliceButton';

export default async function AnnotateHome({ searchParams }: { searchParams: Promise<{ empty?: string }> }) {
  const user = await requirePageRole('ANNOTATOR', '/annotate');
  const { empty } = await searchParams;
  const returned = await returnedSlices(getDb(), user.id);
  return (
    <div className="card login">
      <h1>Annotate</h1>
      {empty ? <p>The queue is empty: every slice is labelled, submitted or being worked on by someone else.</p> : <p className="muted">Take the next slice from the queue. It is yours alone while you work on it.</p>}
      {returned.length > 0 && (
        <section data-testid="returned-slices">
          <h2>
            Returned to you <span className="badge REJECTED" data-testid="returned-count">{returned.length}</span>
          </h2>
          <p className="muted">A reviewer sent these back; “Next slice” serves them first.</p>
          <ul>
            {returned.map((r) => (
              <li key={r.sliceId}>
                <Link href={`/annotate/${r.sliceId}`}>{r.studyKey} #{r.index}</Link> — {r.reviewer ?? 'a reviewer'}: “{r.comment}”
              </li>
            ))}
          </ul>
        </section>
      )}
      <NextSliceButton />
    </div>
  );
}
