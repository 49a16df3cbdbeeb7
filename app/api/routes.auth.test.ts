/**
 * Table-driven guard test over EVERY route handler under app/api: anonymous requests get 401, roles below the
 * handler's required role get 403, and the required role gets through. A new route.ts is picked up
 * automatically; one exported without withRole() fails the test.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rolesBelow, ROLES, type Role } from '@/lib/auth/roles';
import type { PublicUser } from '@/lib/users/service';
import { createTestDb } from '@/lib/testing/testDb';

const session = vi.hoisted(() => ({ user: null as PublicUser | null }));
vi.mock('@/lib/auth/session', () => ({ currentUser: async () => session.user }));

const API_DIR = path.resolve(__dirname);
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** next-auth's own sign-in/session endpoints are public by design. */
const PUBLIC_ROUTES = new Set(['auth/[...nextauth]/route.ts']);

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return routeFiles(full);
    return name === 'route.ts' ? [full] : [];
  });
}

/** A concrete URL for a route file: dynamic segments get a placeholder id. */
function urlFor(file: string): { url: string; params: Record<string, string> } {
  const segments = path.relative(API_DIR, path.dirname(file)).split(path.sep);
  const params: Record<string, string> = {};
  const concrete = segments.map((s) => {
    const m = /^\[(\w+)\]$/.exec(s);
    if (!m) return s;
    params[m[1]] = 'no-such-id';
    return 'no-such-id';
  });
  return { url: `http://localhost/api/${concrete.join('/')}`, params };
}

const userWith = (role: Role): PublicUser => ({ id: `user-${role}`, email: `${role.toLowerCase()}@test`, name: role, role, active: true, createdAt: new Date() });

type Handler = ((req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>) & { requiredRole?: Role };

const cases = routeFiles(API_DIR)
  .filter((file) => !PUBLIC_ROUTES.has(path.relative(API_DIR, file).split(path.sep).join('/')))
  .map((file) => ({ file, name: path.relative(API_DIR, path.dirname(file)) }));

let cleanup: () => Promise<void>;
beforeAll(async () => {
  const testDb = await createTestDb('sqlite');
  process.env.DATABASE_URL = testDb.url;
  cleanup = testDb.cleanup;
});
afterAll(async () => cleanup?.());

it('finds the route handlers to check', () => {
  expect(cases.length).toBeGreaterThanOrEqual(5);
});

describe.each(cases)('/api/$name', ({ file }) => {
  it('guards every exported method by role', async () => {
    const mod = (await import(file)) as Record<string, Handler>;
    const methods = HTTP_METHODS.filter((m) => typeof mod[m] === 'function');
    expect(methods.length).toBeGreaterThan(0);
    const { url, params } = urlFor(file);
    for (const method of methods) {
      const handler = mod[method];
      expect(handler.requiredRole, `${method} ${url} must be built with withRole()`).toBeDefined();
      const required = handler.requiredRole!;
      const call = (role: Role | null) => {
        session.user = role ? userWith(role) : null;
        const body = method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify({});
        return handler(new NextRequest(url, { method, body, headers: { 'content-type': 'application/json' } }), { params: Promise.resolve(params) });
      };
      expect((await call(null)).status, `${method} ${url} anonymous`).toBe(401);
      for (const lower of rolesBelow(required)) expect((await call(lower)).status, `${method} ${url} as ${lower}`).toBe(403);
      for (const allowed of ROLES.filter((r) => !rolesBelow(required).includes(r))) {
        const status = (await call(allowed)).status;
        expect([401, 403], `${method} ${url} as ${allowed} got ${status}`).not.toContain(status);
      }
    }
  });
});
