import { requirePageRole } from '@/lib/auth/session';
import { NextSliceButton } from './NextSliceButton';

export default async function AnnotateHome({ searchParams }: { searchParams: Promise<{ empty?: string }> }) {
  await requirePageRole('ANNOTATOR', '/annotate');
  const { empty } = await searchParams;
  return (
    <div className="card login">
      <h1>Annotate</h1>
      {empty ? <p>The queue is empty: every slice is labelled, submitted or being worked on by someone else.</p> : <p className="muted">Take the next slice from the queue. It is yours alone while you work on it.</p>}
      <NextSliceButton />
    </div>
  );
}
