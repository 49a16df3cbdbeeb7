/**
 * Fault tests: a process killed with SIGKILL in the middle of its work leaves no half-written state.
 *  - saves: a process saving a slice as fast as it can (the service layer a web server runs) is killed; every save
 *    it had acknowledged is in the database, and every slice version is whole (its revisions all there, none of a
 *    version that was not committed);
 *  - promotion: a process promoting model versions back and forth is killed; exactly one version is active.
 * The worker killed during training (retried, active model intact) is lib/jobs/workerCrash.e2e.test.ts.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@/lib/paths';
import { createTestStudy, createTestUser } from '@/lib/testing/fixtures';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';

/** Runs the fault child until it has printed `ready` or an ack, lets it work `ms` more, kills it with SIGKILL; returns what it printed. */
async function killAfter(args: string[], ms: number): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/testing/faultChild.ts', ...args], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const started = Date.now();
  while (!/^(ack \d+|ready)$/m.test(out) && Date.now() - started < 60_000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, ms));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return out;
}

describe('SIGKILL mid-work', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
  });
  afterAll(async () => t?.cleanup());

  it('keeps every acknowledged save and no half-written slice version', async () => {
    const reviewer = await createTestUser(t.db, 'REVIEWER');
    const { sliceIds } = await createTestStudy(t.db, { slices: 1 });
    // Killed at several moments, then restarted from what the database holds.
    let acked = 0;
    for (const ms of [300, 700, 1100]) {
      const out = await killAfter(['saves', t.url, sliceIds[0], reviewer.id], ms);
      const versions = [...out.matchAll(/^ack (\d+)$/gm)].map((m) => Number(m[1]));
      expect(versions.length, out.slice(-500)).toBeGreaterThan(0);
      acked = Math.max(acked, ...versions);
      const slice = await t.db.slice.findUniqueOrThrow({ where: { id: sliceIds[0] } });
      expect(slice.version).toBeGreaterThanOrEqual(acked);
      // Every version up to the current one has its revisions (each save writes at least one), none beyond it.
      const revisions = await t.db.annotationRevision.findMany({ where: { annotation: { sliceId: sliceIds[0] } }, select: { sliceVersion: true } });
      const byVersion = new Set(revisions.map((r) => r.sliceVersion));
      for (let v = 1; v <= slice.version; v++) expect(byVersion.has(v), `version ${v}`).toBe(true);
      expect(Math.max(...byVersion)).toBe(slice.version);
      // The live polygons are exactly those the last committed version's revisions describe.
      const live = await t.db.annotation.count({ where: { sliceId: sliceIds[0], deletedAt: null } });
      const lastSave = revisions.filter((r) => r.sliceVersion === slice.version).length;
      expect(live).toBeGreaterThan(0);
      expect(lastSave).toBeGreaterThan(0);
    }
  }, 180_000);

  it('leaves exactly one active model version when killed during promotion', async () => {
    const make = (number: number) => t.db.modelVersion.create({ data: { kind: 'segmenter', number, path: `m${number}`, config: {}, metrics: {}, gateMetric: 0.5, trainingSummary: {}, labelledSlices: 1 } });
    const [a, b] = [await make(1), await make(2)];
    for (const ms of [300, 800]) {
      await killAfter(['promote', t.url, a.id, b.id], ms);
      const active = await t.db.modelVersion.findMany({ where: { kind: 'segmenter', active: true } });
      expect(active).toHaveLength(1);
    }
  }, 180_000);
});
