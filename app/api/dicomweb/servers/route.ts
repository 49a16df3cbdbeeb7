import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { createServer, listServers, serverInputSchema } from '@/lib/dicomweb/servers';
import { withRole } from '@/lib/http/withRole';

/** The connected DICOMweb servers (credentials are never part of the answer: only whether they are set). */
export const GET = withRole('ADMIN', async () => NextResponse.json({ servers: await listServers(getDb()) }));

/** Connects a server: {name, baseUrl, auth: {type: none|basic|bearer, …}, timeoutS}; 409 when the name is taken. */
export const POST = withRole('ADMIN', async (_req, { user, json }) => {
  const input = await json(serverInputSchema, 'DICOMweb server');
  const server = await createServer(getDb(), input, user.id);
  return NextResponse.json({ server }, { status: 201 });
});
