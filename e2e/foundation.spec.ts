import { expect, test } from '@playwright/test';
import { demoUser, login, loginAs } from './helpers';

const NAV = { Annotate: 'ANNOTATOR', Slices: 'ANNOTATOR', Dashboard: 'ANNOTATOR', Review: 'REVIEWER', Admin: 'ADMIN' } as const;
const RANK = { ANNOTATOR: 0, REVIEWER: 1, ADMIN: 2 } as const;

for (const role of ['ANNOTATOR', 'REVIEWER', 'ADMIN'] as const) {
  test(`${role.toLowerCase()} logs in, sees the imported slices and only the menu of their role`, async ({ page }) => {
    await loginAs(page, role);
    await expect(page).toHaveURL(/\/slices/);
    const thumbs = page.getByTestId('slice-thumb');
    await expect(thumbs.first()).toBeVisible();
    expect(await thumbs.count()).toBeGreaterThan(0);

    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const [label, needed] of Object.entries(NAV)) {
      const link = nav.getByRole('link', { name: label, exact: true });
      if (RANK[role] >= RANK[needed]) await expect(link).toBeVisible();
      else await expect(link).toHaveCount(0);
    }
  });
}

test('a slice image loads as a real PNG and the viewer shows it', async ({ page }) => {
  await loginAs(page, 'ANNOTATOR');
  await page.getByTestId('slice-thumb').first().click();
  const image = page.getByTestId('slice-image');
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);

  const src = await image.getAttribute('src');
  const response = await page.request.get(src!);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('image/png');
  const etag = response.headers()['etag'];
  expect(etag).toBeTruthy();
  const again = await page.request.get(src!, { headers: { 'If-None-Match': etag } });
  expect(again.status()).toBe(304);
});

test('a wrong password is refused and the user stays signed out', async ({ page }) => {
  await login(page, demoUser('ADMIN').email, 'not-the-password');
  await expect(page.getByText('Wrong email or password')).toBeVisible();
  await expect(page.getByTestId('current-user')).toHaveCount(0);
  const api = await page.request.get('/api/slices');
  expect(api.status()).toBe(401);
});

test('lower roles cannot open admin pages or APIs', async ({ page }) => {
  await loginAs(page, 'REVIEWER');
  await page.goto('/admin/users');
  await expect(page).toHaveURL(/\/forbidden/);
  const api = await page.request.get('/api/users');
  expect(api.status()).toBe(403);
});
