import { notFound } from 'next/navigation';
import { loadEditorState, mayEdit } from '@/lib/annotations/service';
import { isDomainError } from '@/lib/errors';
import { hasRole } from '@/lib/auth/roles';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { EditorLoader } from './EditorLoader';

export default async function AnnotatePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requirePageRole('ANNOTATOR', `/annotate/${id}`);
  try {
    const state = await loadEditorState(getDb(), id);
    return <EditorLoader initial={state} canEdit={mayEdit(user, state.status)} canReview={hasRole(user.role, 'REVIEWER')} />;
  } catch (error) {
    if (isDomainError(error, 'not_found')) notFound();
    throw error;
  }
}
