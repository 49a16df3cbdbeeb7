/**
 * The background worker process (`npm run worker`; `npm start` launches one). It will claim and run training,
 * scoring and evaluation jobs (issue 4); until then it only stays alive and reports that it is idle.
 */
import { workerLoop } from '../lib/jobs/worker';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.log(`[worker] ${signal}: stopping after the current step`);
    controller.abort();
  });
}

workerLoop({ signal: controller.signal, log: (line) => console.log(`[worker] ${line}`) })
  .then(() => process.exit(0))
  .catch((error) => {
    console.error('[worker] crashed:', error);
    process.exit(1);
  });
