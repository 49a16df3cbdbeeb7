import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { badRequest, notFound, parseJsonBody } from '@/lib/http/errors';
import { withRole } from '@/lib/http/withRole';
import { updateUser, userUpdateSchema, UserError } from '@/lib/users/service';

export const PATCH = withRole<{ id: string }>('ADMIN', async (req, { params, user }) => {
  const input = await parseJsonBody(req, userUpdateSchema, 'user update');
  // An admin cannot lock themselves out: the last way back in would be the CLI.
  if (params.id === user.id && (input.active === false || (input.role && input.role !== 'ADMIN'))) {
    throw badRequest('You cannot deactivate yourself or drop your own admin role');
  }
  try {
    return NextResponse.json({ user: await updateUser(getDb(), params.id, input) });
  } catch (error) {
    if (error instanceof UserError) throw notFound(`User ${params.id}`);
    throw error;
  }
});
