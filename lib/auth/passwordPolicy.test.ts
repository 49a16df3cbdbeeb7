import { describe, expect, it } from 'vitest';
import { newUserSchema } from '@/lib/users/service';
import { MAX_PASSWORD_BYTES, passwordProblem } from './passwordPolicy';

describe('password policy', () => {
  it.each([
    ['12345678', /at least 12/],
    ['        ', /at least 12/],
    ['passwordpassword', /most common/],
    ['qwertyuiop123', /most common/],
    ['aaaaaaaaaaaaaaaa', /too few different/],
    ['x'.repeat(65), /at most 64/],
    ['ü'.repeat(40), /72 bytes/],
  ])('refuses %j with a message that says why', (password, message) => {
    expect(passwordProblem(password)).toMatch(message);
  });

  it('refuses the account’s own e-mail address and its name part', () => {
    expect(passwordProblem('carla.carlsen@example.org', 'carla.carlsen@example.org')).toMatch(/e-mail/);
    expect(passwordProblem('my-carla.carlsen-2026', 'carla.carlsen@example.org')).toMatch(/e-mail/);
  });

  it('accepts a long passphrase, spaces and all, without trimming it', () => {
    expect(passwordProblem('  correct horse battery  ', 'a@example.org')).toBeNull();
    expect(Buffer.byteLength('b'.repeat(64))).toBeLessThanOrEqual(MAX_PASSWORD_BYTES);
  });

  it('is what account creation checks', () => {
    expect(newUserSchema.safeParse({ email: 'new@example.org', password: 'password1234' }).success).toBe(false);
    expect(newUserSchema.safeParse({ email: 'new@example.org', password: 'new@example.org-x' }).success).toBe(false);
    expect(newUserSchema.safeParse({ email: 'new@example.org', password: 'grey lungs at dawn' }).success).toBe(true);
  });
});
