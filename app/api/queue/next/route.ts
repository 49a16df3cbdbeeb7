import { NextResponse } from 'next/server';
import { z } from 'zod';
import { getDb } from '@/lib/db/client';
import { withRole } from '@/lib/http/withRole';
import { releaseLease } from '@/lib/queue/leases';
import { leaseNextSlice } from '@/lib/queue/next';
import { strategyOrder } from '@/lib/al/queueOrder';

const nextSchema = z.object({ skip: z.string().min(1).max(64).optional() });

/** Leases the caller's next slice: {sliceId}, or {sliceId: null} when the queue is empty. `skip` gives one back first. */
export const POST = withRole('ANNOTATOR', async (_req, { user, json }) => {
  const { skip } = await json(nextSchema, 'next-slice request');
  const db = getDb();
  if (skip) await releaseLease(db, skip, user.id);
  // The admin's active-learning strategy orders the queue (import order until a model has scored the slices).
  return NextResponse.json({ sliceId: await leaseNextSlice(db, user.id, { order: strategyOrder(), exclude: skip ? [skip] : [] }) });
});
