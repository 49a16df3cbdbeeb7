/**
 * `npm start`: the whole product on the embedded default in one command. Migrates the database, seeds the demo
 * users, imports sample data when the database has none, builds the app when its sources changed, then serves it
 * on http://localhost:$PORT (default 3000) together with one worker process. `--dev` runs `next dev` instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { getDb } from '../lib/db/client';
import { migrateDatabase } from '../lib/db/migrate';
import { ensureSampleData } from '../lib/import/sampleData';
import { formatLogins, seedDemoUsers, DEMO_USERS } from '../lib/users/demo';
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

function run(command: string, args: string[], name: string): ChildProcess {
  const child = spawn(process.execPath, [command, ...args], { cwd: root, stdio: 'inherit', env: process.env });
  child.on('exit', (code, signal) => {
    console.log(`[start] ${name} exited (${signal ?? code}); stopping`);
    shutdown(code ?? 1);
  });
  return child;
}

const children: ChildProcess[] = [];
let stopping = false;
function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3_000).unref();
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
  await db.$disconnect();

  const nextBin = require.resolve('next/dist/bin/next');
  if (!dev && buildIsStale()) {
    console.log('[start] building the app (next build)…');
    const build = spawnSync(process.execPath, [nextBin, 'build'], { cwd: root, stdio: 'inherit', env: process.env });
    if (build.status !== 0) throw new Error('next build failed');
  }
  children.push(run(nextBin, [dev ? 'dev' : 'start', '-p', env.port], dev ? 'next dev' : 'next start'));
  // `--import tsx` keeps the worker in one process, so stopping it reaches the process that holds the job.
  children.push(run('--import', ['tsx', 'workers/main.ts'], 'worker'));
  console.log(`[start] CT-Mask Studio on ${env.appUrl}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => shutdown(0));
}

main().catch((error) => {
  console.error(`[start] ${(error as Error).message}`);
  shutdown(1);
  process.exitCode = 1;
});
