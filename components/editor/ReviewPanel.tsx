'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';

/**
 * A reviewer's decision on the slice in the editor: accept, or send back with a comment. Edits are saved first.
 * Afterwards the review screen moves on to `nextHref` (the next review item); elsewhere back to the review list.
 */
export function ReviewPanel({ sliceId, status, flush, baseVersion, nextHref = '/review' }: { sliceId: string; status: string; flush: () => Promise<boolean>; baseVersion: () => number; nextHref?: string }) {
  const router = useRouter();
  const [comment, setComment] = useState('');
  const [rejecting, setRejecting] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function decide(action: 'accept' | 'reject') {
    setBusy(true);
    setMessage(null);
    if (!(await flush())) {
      setBusy(false);
      return setMessage('Your corrections are not saved yet; try again in a moment.');
    }
    const res = await fetch(`/api/slices/${sliceId}/review`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(action === 'accept' ? { action, baseVersion: baseVersion() } : { action, baseVersion: baseVersion(), comment }),
    });
    const body = await res.json().catch(() => ({}));
    setBusy(false);
    if (!res.ok) return setMessage(body.error ?? `Could not ${action}`);
    router.push(nextHref);
    router.refresh();
  }

  if (status === 'ACCEPTED') return <p className="muted">Accepted.</p>;
  return (
    <div className="stack card" aria-label="Review">
      <strong>Review</strong>
      <button className="primary" onClick={() => decide('accept')} disabled={busy}>Accept</button>
      {status === 'SUBMITTED' && !rejecting && <button onClick={() => setRejecting(true)} disabled={busy}>Reject…</button>}
      {rejecting && (
        <>
          <label>
            What should the annotator fix?
            <textarea aria-label="Rejection comment" value={comment} onChange={(e) => setComment(e.target.value)} rows={3} />
          </label>
          <button onClick={() => decide('reject')} disabled={busy || !comment.trim()}>Send back with comment</button>
        </>
      )}
      {message && <p className="error" role="alert">{message}</p>}
    </div>
  );
}
