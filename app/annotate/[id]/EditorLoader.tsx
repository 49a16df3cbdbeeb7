'use client';
import dynamic from 'next/dynamic';
import type { EditorState } from '@/lib/annotations/service';
import type { ReviewContext } from '@/lib/review/reviewContext';

// Konva needs the browser's canvas: the editor is rendered on the client only.
const Editor = dynamic(() => import('@/components/editor/Editor'), { ssr: false, loading: () => <p className="muted">Loading the editor…</p> });

export function EditorLoader({ initial, canEdit, canReview, readOnlyReason, review }: { initial: EditorState; canEdit: boolean; canReview: boolean; readOnlyReason?: string; review?: ReviewContext }) {
  return <Editor key={initial.sliceId} initial={initial} canEdit={canEdit} canReview={canReview} readOnlyReason={readOnlyReason} review={review} />;
}
