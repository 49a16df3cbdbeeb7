import { NextResponse } from 'next/server';
import { z } from 'zod';
import { getDb } from '@/lib/db/client';
import { notFound } from '@/lib/errors';
import { withRole } from '@/lib/http/withRole';
import { promoteIfBetter, rollbackTo } from '@/lib/models/versions';

const promoteSchema = z.object({
  /** true: make it active whatever its validation figure (a rollback, or an admin's override). */
  force: z.boolean().default(false),
});

export const POST = withRole<{ id: string }>('ADMIN', async (_req, { params, user, json }) => {
  const { force } = await json(promoteSchema, 'promote request');
  const db = getDb();
  if (!(await db.modelVersion.findUnique({ where: { id: params.id }, select: { id: true } }))) throw notFound(`Model version ${params.id}`);
  const result = force ? await rollbackTo(db, params.id, user.id) : await promoteIfBetter(db, params.id, { userId: user.id });
  return NextResponse.json(result);
});
