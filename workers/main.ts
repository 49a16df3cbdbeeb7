/**
 * The background worker process (`npm run worker`; `npm start` launches one). Claims and runs training, scoring and
 * evaluation jobs from the database's queue until stopped; start several (here or on other hosts, same DATABASE_URL
 * and DATA_DIR) to share the work.
 */
import { getDb } from '../lib/db/client';
import { jobTypes } from '../lib/jobs/handlers';
import { createJobQueue } from '../lib/jobs/queue';
import { workerLoop } from '../lib/jobs/worker';

async function main() {
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      console.log(`[worker] ${signal}: stopping; a running job is handed back to the queue`);
      controller.abort();
    });
  }
  const db = getDb();
  const queue = createJobQueue(db);
  await queue.start();
  try {
    await workerLoop({ db, queue, jobTypes: jobTypes(), signal: controller.signal, log: (line) => console.log(`[worker] ${line}`) });
  } finally {
    await queue.stop();
    await db.$disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error('[worker] crashed:', error);
    process.exit(1);
  },
);
