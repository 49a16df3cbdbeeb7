/**
 * `npm start`: the whole product on the embedded default in one command. Migrates the database, seeds the demo
 * users, imports sample data when the database has none, builds the app when its sources changed, then serves it
 * on http://localhost:$PORT (default 3000) together with one worker process, restarted with back-off whenever it
 * crashes (the app never stops for it). `--dev` runs `next dev` instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { getDb } from '../lib/db/client';
import { migrateDatabase } from '../lib/db/migrate';
import { ensureSampleData } from '../lib/import/sampleData';
import { enqueueJob } from '../lib/jobs/service';
import { ensureBaseModel } from '../lib/models/baseModel';
import { formatLogins, seedDemoUsers, DEMO_USERS } from '../lib/users/demo';
import { supervise, type Supervisor } from '../lib/process/supervisor';
import { prepareRuntimeEnv } from '../lib/runtimeEnv';

const root = path.resolve(__dirname, '..');
const dev = process.argv.includes('--dev');

function newestMtime(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(entry)) {
    if (name === 'node_modules' || name.startsWith('.') || name.endsWith('.test.ts')) continue;
    newest = Math.max(newest, newestMtime(path.join(entry, name)));
  }
  return newest;
}

/** A production build is reused until a source it depends on is newer than it. */
function buildIsStale(): boolean {
  const buildId = path.join(root, '.next/BUILD_ID');
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  const sources = ['app', 'lib', 'components', 'public', 'next.config.js', 'package.json', 'tsconfig.json'];
  return sources.some((s) => existsSync(path.join(root, s)) && newestMtime(path.join(root, s)) > built);
}

function spawnNode(args: string[]): ChildProcess {
  return spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env });
}

let server: ChildProcess | null = null;
let worker: Supervisor | null = null;
let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(code), 5_000).unref();
  if (server && server.exitCode === null) server.kill('SIGTERM');
  await worker?.stop();
  process.exit(code);
}

async function main() {
  const env = prepareRuntimeEnv(root);
  console.log(`[start] database ${env.databaseLabel}; data in ${env.dataDir}`);

  const { applied } = await migrateDatabase();
  if (applied.length) console.log(`[start] applied migrations: ${applied.join(', ')}`);
  const db = getDb();
  const created = await seedDemoUsers(db);
  console.log(created.length ? `[start] demo users created:\n${formatLogins(created)}` : `[start] demo logins (if unchanged):\n${formatLogins(DEMO_USERS)}`);
  const sample = await ensureSampleData(db, { root, log: (line: string) => console.log(`[start] ${line}`) });
  if (sample) console.log(`[start] imported sample data from ${sample.source}: ${sample.slicesAdded} slices, ${sample.annotationsAdded} polygons`);
  const base = await ensureBaseModel(db);
  if (base) {
    console.log(`[start] base model imported as segmenter v${base.number}${base.active ? ' (active)' : ' (another version stays active)'}`);
    // proposals and an uncertainty-ordered queue from the first minute: the worker scores every slice with it
    if (base.active) await enqueueJob(db, { type: 'score', config: {}, createdById: null });
  }
  await db.$disconnect();

  const nextBin = require.resolve('next/dist/bin/next');
  if (!dev && buildIsStale()) {
    console.log('[start] building the app (next build)…');
    const build = spawnSync(process.execPath, [nextBin, 'build'], { cwd: root, stdio: 'inherit', env: process.env });
    if (build.status !== 0) throw new Error('next build failed');
  }
  // The web server is the app: when it ends, everything ends.
  server = spawnNode(dev ? [nextBin, 'dev', '-p', env.port] : ['--import', 'tsx', 'scripts/serve.ts']);
  server.on('exit', (code, signal) => {
    console.log(`[start] ${dev ? 'next dev' : 'next start'} exited (${signal ?? code}); stopping`);
    void shutdown(code ?? 1);
  });
  // A worker that crashes is restarted with back-off; the app keeps serving meanwhile (jobs wait in the queue).
  // `--import tsx` keeps the worker in one process, so stopping it reaches the process that holds the job.
  worker = supervise({ name: 'worker', start: () => spawnNode(['--import', 'tsx', 'workers/main.ts']) });
  console.log(`[start] CT-Mask Studio on ${env.appUrl}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(0));
}

main().catch((error) => {
  console.error(`[start] ${(error as Error).message}`);
  void shutdown(1);
  process.exitCode = 1;
});
