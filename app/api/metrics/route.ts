import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { withRole } from '@/lib/http/withRole';
import { loadDashboard } from '@/lib/dashboard/load';

/** Every figure of the metrics dashboard as JSON (all roles may read the dashboard). */
export const GET = withRole('ANNOTATOR', async () => NextResponse.json(await loadDashboard(getDb())));
