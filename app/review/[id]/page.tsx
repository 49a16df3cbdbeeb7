import { notFound } from 'next/navigation';
import { EditorLoader } from '@/app/annotate/[id]/EditorLoader';
import { loadEditorState } from '@/lib/annotations/service';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { isDomainError } from '@/lib/errors';
import { reviewContext } from '@/lib/review/reviewContext';

/** The review screen: the submitted slice with its author, what changed since the previous submission, decisions only. */
export default async function ReviewSlicePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePageRole('REVIEWER', `/review/${id}`);
  try {
    const db = getDb();
    const state = await loadEditorState(db, id);
    return <EditorLoader initial={state} canEdit canReview review={await reviewContext(db, id)} />;
  } catch (error) {
    if (isDomainError(error, 'not_found')) notFound();
    throw error;
  }
}
