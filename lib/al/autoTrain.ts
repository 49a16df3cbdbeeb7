/**
 * The auto-training rule: once N slices have been accepted since the last segmenter training was queued, queue
 * another (with the default config). Never two at once: the job table's one-training-job-per-model rule refuses a
 * second while one is queued or running, and the rule simply waits for the next acceptance.
 */
import type { Db } from '@/lib/db/client';
import { enqueueJob } from '@/lib/jobs/service';
import { trainSegmenterConfigSchema } from '@/lib/jobs/requests';
import { isDomainError } from '@/lib/errors';
import type { JobQueue } from '@/lib/jobs/queue';
import { getAlSettings } from './settings';

/** Accepted slices since the last segmenter training was queued (by anyone, by hand or by this rule). */
export async function acceptedSinceLastTraining(db: Db): Promise<number> {
  const accepted = await db.slice.count({ where: { status: 'ACCEPTED' } });
  const last = await db.job.findFirst({ where: { type: 'train-segmenter' }, orderBy: { createdAt: 'desc' }, select: { config: true } });
  const before = (last?.config as { acceptedSlicesAtQueue?: number } | null)?.acceptedSlicesAtQueue ?? 0;
  return accepted - before;
}

/** Call after slices are accepted. Returns the queued job's id, or null when the rule does not fire. */
export async function maybeQueueTraining(db: Db, queue?: JobQueue): Promise<string | null> {
  const { autoTrainAfter, includeSubmitted } = await getAlSettings(db);
  if (autoTrainAfter === null) return null;
  if ((await acceptedSinceLastTraining(db)) < autoTrainAfter) return null;
  const config = { ...trainSegmenterConfigSchema.parse({ includeSubmitted }), acceptedSlicesAtQueue: await db.slice.count({ where: { status: 'ACCEPTED' } }), trigger: 'auto' };
  try {
    return (await enqueueJob(db, { type: 'train-segmenter', config, modelKind: 'segmenter' }, queue)).id;
  } catch (error) {
    if (isDomainError(error, 'conflict')) return null;
    throw error;
  }
}
