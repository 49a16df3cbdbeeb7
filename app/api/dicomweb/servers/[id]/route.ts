import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { deleteServer } from '@/lib/dicomweb/servers';
import { NO_BODY, withRole } from '@/lib/http/withRole';

/** Disconnects a server (its credentials go with it; imported studies stay). */
export const DELETE = withRole<{ id: string }>('ADMIN', async (_req, { params }) => {
  await deleteServer(getDb(), params.id);
  return new NextResponse(null, { status: 204 });
}, NO_BODY);
