import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { withRole } from '@/lib/http/withRole';
import { createUser, listUsers, newUserSchema } from '@/lib/users/service';

export const GET = withRole('ADMIN', async () => NextResponse.json({ users: await listUsers(getDb()) }));

export const POST = withRole('ADMIN', async (_req, { json }) => {
  const input = await json(newUserSchema, 'user');
  return NextResponse.json({ user: await createUser(getDb(), input) }, { status: 201 });
});
