import { NextResponse } from 'next/server';
import { loadEditorState, saveSliceAnnotations } from '@/lib/annotations/service';
import { saveRequestSchema } from '@/lib/annotations/schema';
import { getDb } from '@/lib/db/client';
import { asHttp } from '@/lib/http/annotationErrors';
import { parseJsonBody } from '@/lib/http/errors';
import { withRole } from '@/lib/http/withRole';

/** The editor's view of a slice: polygons, proposals, slice class and the version to base saves on. */
export const GET = withRole<{ id: string }>('ANNOTATOR', async (_req, { params }) => NextResponse.json(await asHttp(loadEditorState(getDb(), params.id))));

/** Saves the whole annotation: 200 {version, ids}, 400 for invalid polygons (nothing stored), 409 on a stale base version. */
export const PUT = withRole<{ id: string }>('ANNOTATOR', async (req, { params, user }) => {
  const body = await parseJsonBody(req, saveRequestSchema, 'annotation save');
  return NextResponse.json(await asHttp(saveSliceAnnotations(getDb(), params.id, user, body)));
});
