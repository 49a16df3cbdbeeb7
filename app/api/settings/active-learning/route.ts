import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { withRole } from '@/lib/http/withRole';
import { alSettingsChangeSchema, getAlSettings, updateAlSettings } from '@/lib/al/settings';
import { STRATEGY_NAMES } from '@/lib/al/strategies';

export const GET = withRole('ADMIN', async () => NextResponse.json({ settings: await getAlSettings(getDb()), strategies: STRATEGY_NAMES }));

/** Changes the acquisition strategy, the auto-training threshold or whether submitted slices train. */
export const PUT = withRole('ADMIN', async (_req, { json }) => {
  const change = await json(alSettingsChangeSchema, 'active-learning settings');
  return NextResponse.json({ settings: await updateAlSettings(getDb(), change) });
});
