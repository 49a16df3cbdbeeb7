import { expect, type Page } from '@playwright/test';
import { DEMO_USERS } from '../lib/users/demo';

export const demoUser = (role: 'ANNOTATOR' | 'REVIEWER' | 'ADMIN') => DEMO_USERS.find((u) => u.role === role)!;

export async function login(page: Page, email: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function loginAs(page: Page, role: 'ANNOTATOR' | 'REVIEWER' | 'ADMIN') {
  const user = demoUser(role);
  await login(page, user.email, user.password);
  await expect(page.getByTestId('current-user')).toContainText(user.name);
}
