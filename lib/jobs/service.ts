/** What the app and CLIs do with jobs: enqueue (published to the workers), cancel, read. */
import { databaseUrl, type Db } from '@/lib/db/client';
import { createJobQueue, type JobQueue } from './queue';
import { createJob, requestCancel, type NewJob } from './store';

// One started queue per process (the app server publishes; workers also fetch).
const globalForQueue = globalThis as typeof globalThis & { __ctmsJobQueue?: { url: string; queue: Promise<JobQueue> } };

export function getJobQueue(db: Db): Promise<JobQueue> {
  const url = databaseUrl();
  if (!globalForQueue.__ctmsJobQueue || globalForQueue.__ctmsJobQueue.url !== url) {
    const queue = createJobQueue(db, url);
    globalForQueue.__ctmsJobQueue = { url, queue: queue.start().then(() => queue) };
  }
  return globalForQueue.__ctmsJobQueue.queue;
}

export async function enqueueJob(db: Db, job: NewJob, queue?: JobQueue) {
  const row = await createJob(db, job);
  await (queue ?? (await getJobQueue(db))).publish(row.id, row.type);
  return row;
}

export { requestCancel as cancelJob };

export function listJobs(db: Db, take = 50) {
  return db.job.findMany({
    orderBy: { createdAt: 'desc' },
    take,
    select: { id: true, type: true, status: true, progress: true, error: true, attempts: true, maxAttempts: true, createdAt: true, startedAt: true, finishedAt: true, resultVersionId: true, createdBy: { select: { name: true } } },
  });
}

export function jobDetail(db: Db, id: string) {
  return db.job.findUnique({ where: { id }, include: { createdBy: { select: { name: true, email: true } } } });
}
