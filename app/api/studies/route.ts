import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { withRole } from '@/lib/http/withRole';
import { listStudies } from '@/lib/slices/browse';

export const GET = withRole('ANNOTATOR', async () => NextResponse.json({ studies: await listStudies(getDb()) }));
