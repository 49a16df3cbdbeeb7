import { expect, test } from '@playwright/test';
import { login, loginAs } from './helpers';

/** Signs in through next-auth's own endpoints (CSRF token, then the credentials form), as its client does. */
async function signIn(request: import('@playwright/test').APIRequestContext, email: string, password: string) {
  const { csrfToken } = await (await request.get('/api/auth/csrf')).json();
  return request.post('/api/auth/callback/credentials', { form: { csrfToken, email, password, json: 'true' }, maxRedirects: 0 });
}

test('every page and API answer carries the security headers', async ({ request }) => {
  for (const url of ['/login', '/api/slices']) {
    const res = await request.get(url, { maxRedirects: 0 });
    const h = res.headers();
    expect(h['content-security-policy'], url).toContain("frame-ancestors 'none'");
    expect(h['x-frame-options'], url).toBe('DENY');
    expect(h['x-content-type-options'], url).toBe('nosniff');
    expect(h['referrer-policy'], url).toBe('same-origin');
  }
});

test('after sign-in only a path of this app is followed (no open redirect)', async ({ page }) => {
  await loginAs(page, 'ANNOTATOR');
  for (const raw of ['/\\127.0.0.1:3301/x', '/\t/evil.example/x', '//evil.example']) {
    const res = await page.request.get(`/login?callbackUrl=${encodeURIComponent(raw)}`, { maxRedirects: 0 });
    expect(res.status(), raw).toBe(307);
    expect(res.headers().location, raw).toBe('/slices');
  }
});

test('what the server does not serve (TRACE, GET of the credentials callback, a JSON sign-in) is a 4xx, not a 500', async ({ request }) => {
  expect((await request.get('/api/auth/callback/credentials', { maxRedirects: 0 })).status()).toBe(405);
  expect((await request.fetch('/api/slices', { method: 'TRACE' })).status()).toBe(405);
  expect((await request.post('/api/auth/callback/credentials', { data: '{"email": ', headers: { 'content-type': 'application/json' } })).status()).toBe(415);
});

test('wrong passwords lock the account with 429 and Retry-After, the right one included', async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await loginAs(admin, 'ADMIN');
  const email = `throttle-${Date.now()}@example.org`;
  expect((await admin.request.post('/api/users', { data: { email, name: 'Throttle Theo', role: 'ANNOTATOR', password: 'the right long phrase' } })).status()).toBe(201);
  const context = await browser.newContext();
  const statuses: number[] = [];
  for (let k = 0; k < 6; k++) statuses.push((await signIn(context.request, email, `wrong phrase ${k}`)).status());
  expect(statuses.slice(0, 5).every((s) => s !== 429)).toBe(true);
  const locked = await signIn(context.request, email, 'the right long phrase');
  expect(locked.status()).toBe(429);
  expect(Number(locked.headers()['retry-after'])).toBeGreaterThan(0);
  expect((await locked.json()).error).toMatch(/Too many failed sign-ins/);
  await context.close();
  await admin.context().close();
});

test('signing out ends the session on the server: a copy of the old cookie no longer reads the API', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await loginAs(page, 'REVIEWER');
  const cookies = await context.cookies();
  expect((await page.request.get('/api/slices')).status()).toBe(200);
  const { csrfToken } = await (await page.request.get('/api/auth/csrf')).json();
  await page.request.post('/api/auth/signout', { form: { csrfToken, json: 'true' } });
  const thief = await browser.newContext();
  await thief.addCookies(cookies);
  expect((await thief.request.get('/api/slices')).status()).toBe(401);
  expect(await (await thief.request.get('/api/auth/session')).json()).toEqual({});
  await Promise.all([context.close(), thief.close()]);
});

test('a deactivated user is signed out at once, session endpoint included', async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await loginAs(admin, 'ADMIN');
  const email = `leaver-${Date.now()}@example.org`;
  const created = await (await admin.request.post('/api/users', { data: { email, name: 'Leaving Lee', role: 'ANNOTATOR', password: 'a long leaving phrase' } })).json();
  const user = await (await browser.newContext()).newPage();
  await login(user, email, 'a long leaving phrase');
  await expect(user.getByTestId('current-user')).toContainText('Leaving Lee');
  expect((await admin.request.patch(`/api/users/${created.user.id}`, { data: { active: false } })).status()).toBe(200);
  expect((await user.request.get('/api/slices')).status()).toBe(401);
  expect(await (await user.request.get('/api/auth/session')).json()).toEqual({});
  await Promise.all([admin.context().close(), user.context().close()]);
});
