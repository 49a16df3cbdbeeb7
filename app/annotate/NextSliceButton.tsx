'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { prefetchPixels } from '@/components/editor/usePixels';

export function NextSliceButton() {
  const router = useRouter();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function next() {
    setBusy(true);
    const res = await fetch('/api/queue/next', { method: 'POST' });
    const body = await res.json().catch(() => ({}));
    setBusy(false);
    if (!res.ok) return setMessage(body.error ?? 'Could not reach the queue');
    if (!body.sliceId) return setMessage('The queue is empty right now.');
    prefetchPixels(body.sliceId); // the image loads while the page navigates, not after the editor's first render
    router.push(`/annotate/${body.sliceId}`);
  }
  return (
    <>
      <button className="primary" onClick={next} disabled={busy}>{busy ? 'Finding a slice…' : 'Next slice'}</button>
      {message && <p role="status">{message}</p>}
    </>
  );
}
