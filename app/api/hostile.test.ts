/**
 * The hostile-input suite: every route handler under app/api that takes a body (found by walking the folder, like
 * the authorization test) gets fuzzed bodies (fast-check) and a fixed set of malformed ones, as a signed-in admin
 * (who passes every role check, so the body is what is judged). Every answer is below 500; every refusal is a 4xx
 * JSON answer with a message; and a refusal writes nothing (row counts and slice versions unchanged).
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Db } from '@/lib/db/client';
import { createTestStudy, createTestUser } from '@/lib/testing/fixtures';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import type { PublicUser } from '@/lib/users/service';

const session = vi.hoisted(() => ({ user: null as PublicUser | null }));
vi.mock('@/lib/auth/session', () => ({ currentUser: async () => session.user }));

const API_DIR = path.resolve(__dirname);
const BODY_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;
const FUZZ_RUNS = Number(process.env.HOSTILE_FUZZ_RUNS ?? 40);

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return routeFiles(full);
    return name === 'route.ts' ? [full] : [];
  });
}

type Handler = ((req: NextRequest, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>) & { maxBodyBytes?: number };

let t: TestDb;
const ids: Record<string, string> = {};
let admin: PublicUser;
beforeAll(async () => {
  t = await createTestDb('sqlite');
  Object.assign(process.env, { DATABASE_URL: t.url, NEXTAUTH_SECRET: 'hostile-test-secret-0123456789abcdef', NEXTAUTH_URL: 'http://localhost', CTMS_MAX_UPLOAD_MB: '1' });
  admin = await createTestUser(t.db, 'ADMIN', 'Hostile Admin');
  session.user = admin;
  ids.slices = (await createTestStudy(t.db, { slices: 2 })).sliceIds[0];
  ids.users = (await createTestUser(t.db, 'ANNOTATOR', 'target')).id;
  ids.jobs = (await t.db.job.create({ data: { type: 'score', config: {}, status: 'SUCCEEDED' } })).id;
  ids.imports = ids.jobs;
  ids.models = (await t.db.modelVersion.create({ data: { kind: 'segmenter', number: 1, path: 'x', config: {}, metrics: {}, gateMetric: 0, trainingSummary: {}, labelledSlices: 0 } })).id;
});
afterAll(async () => t?.cleanup());

/** Everything a refused request must leave as it was. */
async function state(db: Db) {
  const [annotations, revisions, labels, reviews, jobs, users, settings, leases, models, slices] = await Promise.all([
    db.annotation.count(), db.annotationRevision.count(), db.sliceLabel.count(), db.reviewEvent.count(), db.job.count(), db.user.findMany({ select: { role: true, active: true, passwordHash: true, name: true } }),
    db.setting.findMany(), db.sliceLease.count(), db.modelVersion.findMany({ select: { active: true } }), db.slice.findMany({ select: { version: true, status: true } }),
  ]);
  return JSON.stringify({ annotations, revisions, labels, reviews, jobs, users, settings, leases, models, slices });
}

/** Bodies that no route accepts: JSON that is not an object, with nesting, odd numbers and strings. */
const notAnObject = fc.oneof(
  fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }),
  fc.string({ maxLength: 50 }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
/** Objects whose keys are the API's field names with values of any shape (wrong types, huge numbers, nesting). */
const FIELDS = ['baseVersion', 'polygons', 'sliceClass', 'unsure', 'activeMs', 'proposalVersionId', 'action', 'comment', 'type', 'config', 'email', 'password', 'role', 'active', 'name', 'force', 'skip', 'strategy', 'autoTrainAfter', 'points', 'holes', 'lesionClass', 'clientKey', 'id'];
const fieldObject = fc.dictionary(fc.constantFrom(...FIELDS), fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.constant(Number.MAX_VALUE), fc.constant(-1), fc.string({ unit: 'binary', maxLength: 40 })), { minKeys: 1, maxKeys: 6 });

/** Raw bodies that are malformed as JSON or as requests. */
const FIXED: { name: string; body: string | Uint8Array; type?: string; status: number[] }[] = [
  { name: 'truncated JSON', body: '{"baseVersion": 0, "polygons": [', status: [400] },
  { name: 'NaN and Infinity literals', body: '{"baseVersion": NaN, "activeMs": Infinity}', status: [400] },
  { name: 'a lone surrogate and control characters', body: '{"comment": "\\ud800\u0001"}', status: [400, 404, 409, 415] },
  { name: 'not UTF-8', body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), status: [400] },
  { name: 'deep nesting', body: '['.repeat(5000) + ']'.repeat(5000), status: [400] },
  { name: 'JSON sent as a form', body: '{"baseVersion":0}', type: 'application/x-www-form-urlencoded', status: [400, 415] },
];

const cases = routeFiles(API_DIR).map((file) => ({ file, name: path.relative(API_DIR, path.dirname(file)).split(path.sep).join('/') }));
let total = 0;

afterAll(() => console.log(`hostile-input suite: ${total} requests over ${cases.length} route files`));

describe.each(cases)('/api/$name', ({ file, name }) => {
  const url = () => `http://localhost/api/${name.replace(/\[\.\.\.nextauth\]/, 'callback/credentials').replace(/\[(\w+)\]/g, () => ids[name.split('/')[0]] ?? 'x')}`;
  const params = (): Record<string, string | string[]> => (name.includes('[id]') ? { id: ids[name.split('/')[0]] } : name.includes('nextauth') ? { nextauth: ['callback', 'credentials'] } : {});

  it('answers every malformed or fuzzed body with a 4xx message and writes nothing', async () => {
    const mod = (await import(file)) as Record<string, Handler>;
    const methods = BODY_METHODS.filter((m) => typeof mod[m] === 'function');
    for (const method of methods) {
      const send = async (body: string | Uint8Array, type = 'application/json') => {
        total++;
        const before = await state(t.db);
        const res = await mod[method](new NextRequest(url(), { method, body: body as BodyInit, headers: { 'content-type': type } }), { params: Promise.resolve(params()) });
        const text = await res.text();
        expect(res.status, `${method} /api/${name} → ${res.status} ${text.slice(0, 200)}`).toBeLessThan(500);
        if (res.status >= 400) {
          expect(JSON.parse(text).error, `${method} /api/${name} refusal without a message`).toMatch(/\w/);
          expect(await state(t.db), `${method} /api/${name} wrote on a ${res.status}`).toBe(before);
        }
        return res.status;
      };
      // A route that takes no body refuses any (413); the others judge what they are sent.
      const limit = mod[method].maxBodyBytes ?? 8 * 1024;
      // next-auth's own route takes forms only: JSON of any kind is 415 there.
      // (A form reaching next-auth itself needs a Next.js request scope: the browser tests sign in that way.)
      const nextAuth = name.includes('nextauth');
      const expected = (c: (typeof FIXED)[number]) => (limit === 0 ? [413] : nextAuth ? [413, 415] : c.status);
      for (const c of FIXED.filter((f) => !(nextAuth && f.type))) expect(expected(c), `${method} /api/${name}: ${c.name}`).toContain(await send(c.body, c.type));
      expect(await send(new Uint8Array(limit + 1).fill(0x20)), `${method} /api/${name}: a body one byte over its limit`).toBe(413);
      await fc.assert(fc.asyncProperty(notAnObject, async (v) => (await send(JSON.stringify(v))) >= 400), { numRuns: FUZZ_RUNS, seed: 42 });
      await fc.assert(fc.asyncProperty(fieldObject, async (v) => (await send(JSON.stringify(v))) < 500), { numRuns: FUZZ_RUNS, seed: 43 });
    }
  }, 120_000);
});
