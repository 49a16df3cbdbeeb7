import { NextResponse } from 'next/server';
import { loadEditorState, saveSliceAnnotations } from '@/lib/annotations/service';
import { SAVE_BODY_LIMIT, saveRequestSchema } from '@/lib/annotations/schema';
import { getDb } from '@/lib/db/client';
import { withRole } from '@/lib/http/withRole';

/** The editor's view of a slice: polygons, proposals, slice class and the version to base saves on. */
export const GET = withRole<{ id: string }>('ANNOTATOR', async (_req, { params }) => NextResponse.json(await loadEditorState(getDb(), params.id)));

/**
 * Saves the whole annotation: 200 {version, ids}, 400 for invalid polygons (nothing stored), 409 on a stale base
 * version, 423 when someone else holds the slice's lease, 413 over 4 MiB.
 */
export const PUT = withRole<{ id: string }>(
  'ANNOTATOR',
  async (_req, { params, user, json }) => NextResponse.json(await saveSliceAnnotations(getDb(), params.id, user, await json(saveRequestSchema, 'annotation save'))),
  { maxBodyBytes: SAVE_BODY_LIMIT },
);
