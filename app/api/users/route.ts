import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { conflict, parseJsonBody } from '@/lib/http/errors';
import { withRole } from '@/lib/http/withRole';
import { createUser, listUsers, newUserSchema, UserError } from '@/lib/users/service';

export const GET = withRole('ADMIN', async () => NextResponse.json({ users: await listUsers(getDb()) }));

export const POST = withRole('ADMIN', async (req) => {
  const input = await parseJsonBody(req, newUserSchema, 'user');
  try {
    return NextResponse.json({ user: await createUser(getDb(), input) }, { status: 201 });
  } catch (error) {
    if (error instanceof UserError) throw conflict(error.message);
    throw error;
  }
});
