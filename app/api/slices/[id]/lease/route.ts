import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { DomainError, notFound } from '@/lib/errors';
import { NO_BODY, withRole } from '@/lib/http/withRole';
import { acquireLease, LEASE_MS, leaseHolder, releaseLease } from '@/lib/queue/leases';

/** Heartbeat: takes or renews the caller's lease (a lapsed one is taken back if nobody else took it); 423 when someone else holds it. */
export const POST = withRole<{ id: string }>('ANNOTATOR', async (_req, { params, user }) => {
  const db = getDb();
  if (!(await db.slice.findUnique({ where: { id: params.id }, select: { id: true } }))) throw notFound(`Slice ${params.id}`);
  if (!(await acquireLease(db, params.id, user.id))) {
    const holder = await leaseHolder(db, params.id);
    throw new DomainError('locked', `You no longer hold this slice: ${holder?.name ?? 'someone else'} is working on it`);
  }
  return NextResponse.json({ renewed: true, leaseMs: LEASE_MS });
}, NO_BODY);

/** Skip: gives the slice back to the queue; 404 when the caller held no lease on it. */
export const DELETE = withRole<{ id: string }>('ANNOTATOR', async (_req, { params, user }) => {
  if (!(await releaseLease(getDb(), params.id, user.id))) throw notFound(`A lease of yours on slice ${params.id}`);
  return NextResponse.json({ released: true });
}, NO_BODY);
