/** The class-alias API: admins read and replace the map; a bad map is refused with a message and changes nothing. */
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CLASS_ALIASES } from '@/lib/classes/aliases';
import type { PublicUser } from '@/lib/users/service';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';

const session = vi.hoisted(() => ({ user: null as PublicUser | null }));
vi.mock('@/lib/auth/session', () => ({ currentUser: async () => session.user }));

describe('/api/settings/class-aliases', () => {
  let t: TestDb;
  let admin: PublicUser;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
    process.env.DATABASE_URL = t.url;
    admin = { ...(await t.db.user.create({ data: { email: 'admin@test', name: 'Admin', role: 'ADMIN', passwordHash: 'x' } })), role: 'ADMIN' } as PublicUser;
  });
  afterAll(async () => t?.cleanup());

  const call = async (method: 'GET' | 'PUT', body?: unknown, user: PublicUser = admin) => {
    session.user = user;
    const { GET, PUT } = await import('./route');
    const req = new NextRequest('http://localhost/api/settings/class-aliases', { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const res = await (method === 'GET' ? GET : PUT)(req, { params: Promise.resolve({}) });
    return { status: res.status, body: await res.json() };
  };

  it('gives the defaults until an admin saves a map, then that map', async () => {
    expect(await call('GET')).toEqual({ status: 200, body: { aliases: DEFAULT_CLASS_ALIASES, defaults: DEFAULT_CLASS_ALIASES } });
    const saved = await call('PUT', { aliases: { ...DEFAULT_CLASS_ALIASES, Pneumonia: 'CP' } });
    expect(saved).toEqual({ status: 200, body: { aliases: { ...DEFAULT_CLASS_ALIASES, Pneumonia: 'CP' } } });
    expect((await call('GET')).body.aliases).toEqual({ ...DEFAULT_CLASS_ALIASES, Pneumonia: 'CP' });
  });

  it('refuses a bad map with 400 and a message, and keeps the stored one', async () => {
    const before = await t.db.setting.findMany();
    for (const [bad, message] of [
      [{ aliases: { a: 'b', b: 'a' } }, /map to each other/],
      [{ aliases: { COVID: 'covid' } }, /maps to itself/],
      [{ aliases: { x: '' } }, /a class name is empty/],
      [{ aliases: { 'COVID-19': 'COVID', 'covid-19': 'COVID' } }, /listed twice/],
      [{ aliases: { x: 'C'.repeat(65) } }, /longer than 64/],
      [{ aliases: ['COVID'] }, /Invalid class aliases/],
      [{ aliases: {}, extra: 1 }, /Invalid class aliases/],
      [{}, /Invalid class aliases/],
    ] as const) {
      const res = await call('PUT', bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error).toMatch(message);
    }
    expect(await t.db.setting.findMany()).toEqual(before);
  });

  it('is for admins only', async () => {
    const reviewer = { ...admin, role: 'REVIEWER' } as PublicUser;
    expect((await call('GET', undefined, reviewer)).status).toBe(403);
    expect((await call('PUT', { aliases: {} }, reviewer)).status).toBe(403);
  });
});
