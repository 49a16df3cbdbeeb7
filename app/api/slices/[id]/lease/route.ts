import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { conflict } from '@/lib/http/errors';
import { withRole } from '@/lib/http/withRole';
import { LEASE_MS, releaseLease, renewLease } from '@/lib/queue/leases';

/** Heartbeat: renews the caller's lease; 409 when they no longer hold it. */
export const POST = withRole<{ id: string }>('ANNOTATOR', async (_req, { params, user }) => {
  if (!(await renewLease(getDb(), params.id, user.id))) throw conflict('You no longer hold this slice: it was released or taken over');
  return NextResponse.json({ renewed: true, leaseMs: LEASE_MS });
});

/** Skip: gives the slice back to the queue. */
export const DELETE = withRole<{ id: string }>('ANNOTATOR', async (_req, { params, user }) => {
  await releaseLease(getDb(), params.id, user.id);
  return NextResponse.json({ released: true });
});
