/** The servers API never hands credentials back, stores them sealed, and refuses bad input with a message. */
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PublicUser } from '@/lib/users/service';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';

const session = vi.hoisted(() => ({ user: null as PublicUser | null }));
vi.mock('@/lib/auth/session', () => ({ currentUser: async () => session.user }));

describe('/api/dicomweb/servers', () => {
  let t: TestDb;
  const saved = process.env.NEXTAUTH_SECRET;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
    process.env.DATABASE_URL = t.url;
    process.env.NEXTAUTH_SECRET = 'route-test-secret';
    const admin = await t.db.user.create({ data: { email: 'admin@test', name: 'Admin', role: 'ADMIN', passwordHash: 'x' } });
    session.user = { ...admin, role: 'ADMIN' } as PublicUser;
  });
  afterAll(async () => {
    process.env.NEXTAUTH_SECRET = saved;
    await t?.cleanup();
  });

  const call = async (method: 'GET' | 'POST', body?: unknown) => {
    const { GET, POST } = await import('./route');
    const req = new NextRequest('http://localhost/api/dicomweb/servers', { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const res = await (method === 'GET' ? GET : POST)(req, { params: Promise.resolve({}) });
    return { status: res.status, text: await res.text() };
  };

  it('stores bearer and basic credentials sealed and never returns them', async () => {
    const bearer = await call('POST', { name: 'pacs-a', baseUrl: 'https://pacs.example.org/dicom-web/', auth: { type: 'bearer', token: 'TOKEN-SECRET-123' } });
    expect(bearer.status).toBe(201);
    expect(bearer.text).not.toContain('TOKEN-SECRET-123');
    expect(JSON.parse(bearer.text).server).toMatchObject({ name: 'pacs-a', baseUrl: 'https://pacs.example.org/dicom-web', authType: 'bearer', hasCredentials: true });
    const basic = await call('POST', { name: 'pacs-b', baseUrl: 'http://10.0.0.5:8042/dicom-web', auth: { type: 'basic', username: 'reader', password: 'PW-SECRET-456' } });
    expect(basic.status).toBe(201);
    const list = await call('GET');
    expect(list.status).toBe(200);
    expect(list.text).not.toMatch(/TOKEN-SECRET-123|PW-SECRET-456|v1:/);
    const rows = await t.db.dicomWebServer.findMany();
    expect(rows.map((r) => r.credentials).join(' ')).not.toMatch(/TOKEN-SECRET-123|PW-SECRET-456|reader/);
  });

  it('refuses a taken name (409) and bad input (400) with a message', async () => {
    const taken = await call('POST', { name: 'pacs-a', baseUrl: 'https://other.example.org/dicom-web' });
    expect(taken.status).toBe(409);
    expect(JSON.parse(taken.text).error).toMatch(/already exists/);
    for (const bad of [
      { name: 'x', baseUrl: 'ftp://pacs/dicom-web' },
      { name: 'x', baseUrl: 'https://user:pw@pacs/dicom-web' },
      { name: 'x', baseUrl: 'https://pacs/dicom-web', auth: { type: 'basic', username: 'u' } },
      { name: '', baseUrl: 'https://pacs/dicom-web' },
    ]) {
      const res = await call('POST', bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(JSON.parse(res.text).error).toMatch(/Invalid DICOMweb server/);
    }
    expect(await t.db.dicomWebServer.count()).toBe(2);
  });
});
