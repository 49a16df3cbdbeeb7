import { notFound } from 'next/navigation';
import { loadEditorState, mayEdit } from '@/lib/annotations/service';
import { isDomainError } from '@/lib/errors';
import { hasRole } from '@/lib/auth/roles';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { acquireLease, leaseHolder } from '@/lib/queue/leases';
import { EditorLoader } from './EditorLoader';

export default async function AnnotatePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requirePageRole('ANNOTATOR', `/annotate/${id}`);
  try {
    const db = getDb();
    const state = await loadEditorState(db, id);
    // Opening a slice to work on it takes its lease, as "Next slice" does; a slice someone else holds opens read-only.
    let lockedBy: string | null = null;
    if (mayEdit(user, state.status) && !hasRole(user.role, 'REVIEWER') && !(await acquireLease(db, id, user.id))) lockedBy = (await leaseHolder(db, id))?.name ?? 'someone else';
    const readOnlyReason = lockedBy ? `${lockedBy} is working on this slice; it opens read-only until they submit or leave it.` : undefined;
    return <EditorLoader initial={state} canEdit={mayEdit(user, state.status) && !lockedBy} canReview={hasRole(user.role, 'REVIEWER')} readOnlyReason={readOnlyReason} />;
  } catch (error) {
    if (isDomainError(error, 'not_found')) notFound();
    throw error;
  }
}
