import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { withRole } from '@/lib/http/withRole';
import { alSettingsChangeSchema, getAlSettings, updateAlSettings } from '@/lib/al/settings';
import { activeModelIds } from '@/lib/al/queueOrder';
import { needsRescore, STRATEGIES } from '@/lib/al/strategies';
import { enqueueJob } from '@/lib/jobs/service';

/** The settings and the strategies to choose from, each with what it does and the signals it reads. */
export const GET = withRole('ADMIN', async () =>
  NextResponse.json({ settings: await getAlSettings(getDb()), strategies: Object.values(STRATEGIES).map(({ name, description, needs }) => ({ name, description, needs })) }),
);

/**
 * Changes the acquisition strategy, the auto-training threshold or whether submitted slices train. A strategy that
 * reads signals the last score run did not compute (augmented passes, slice descriptors) queues a score job.
 */
export const PUT = withRole('ADMIN', async (_req, { json, user }) => {
  const change = await json(alSettingsChangeSchema, 'active-learning settings');
  const db = getDb();
  const before = await getAlSettings(db);
  const settings = await updateAlSettings(db, change);
  const rescore = needsRescore(before.strategy, settings.strategy) && (await activeModelIds(db)).length ? await enqueueJob(db, { type: 'score', config: {}, createdById: user.id }) : null;
  return NextResponse.json({ settings, scoreJobId: rescore?.id ?? null });
});
