import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { invalid } from '@/lib/errors';
import { withRole } from '@/lib/http/withRole';
import { updateUser, userUpdateSchema } from '@/lib/users/service';

export const PATCH = withRole<{ id: string }>('ADMIN', async (_req, { params, user, json }) => {
  const input = await json(userUpdateSchema, 'user update');
  // An admin cannot lock themselves out: the last way back in would be the CLI.
  if (params.id === user.id && (input.active === false || (input.role && input.role !== 'ADMIN'))) {
    throw invalid('You cannot deactivate yourself or drop your own admin role');
  }
  return NextResponse.json({ user: await updateUser(getDb(), params.id, input) });
});
