import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { withRole } from '@/lib/http/withRole';
import { listVersions } from '@/lib/models/versions';

/** Every model version with its metrics (the dashboard is open to all roles). */
export const GET = withRole('ANNOTATOR', async () => NextResponse.json({ versions: await listVersions(getDb()) }));
