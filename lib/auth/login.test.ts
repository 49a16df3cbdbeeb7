/**
 * Sign-in hardening on the database: throttling per account and per address, the same bcrypt work for unknown
 * accounts, and sessions revoked on the server by sign-out, deactivation and a password change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainError } from '@/lib/errors';
import { createTestDb, type TestDb } from '@/lib/testing/testDb';
import { authenticate, createUser, updateUser } from '@/lib/users/service';
import { revokeSession, sessionIsLive } from './sessions';
import { accountKey, ACCOUNT_POLICY, addressKey, ADDRESS_POLICY, assertNotThrottled, clearFailures, lockMs, recordFailure } from './throttle';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb('sqlite');
});
afterAll(async () => t?.cleanup());

describe('login throttling', () => {
  it('locks an account after the free failures, for a time that doubles, and says how long', async () => {
    const keys = [accountKey('Victim@Example.org'), addressKey('10.0.0.1')];
    const now = new Date('2026-06-01T10:00:00Z');
    for (let k = 0; k < ACCOUNT_POLICY.freeFailures - 1; k++) await recordFailure(t.db, [{ key: keys[0], policy: ACCOUNT_POLICY }, { key: keys[1], policy: ADDRESS_POLICY }], now);
    await expect(assertNotThrottled(t.db, keys, now)).resolves.toBeUndefined();
    await recordFailure(t.db, [{ key: keys[0], policy: ACCOUNT_POLICY }], now);
    const refused = (await assertNotThrottled(t.db, keys, now).catch((e) => e)) as DomainError;
    expect(refused.code).toBe('rate_limited');
    expect(refused.retryAfterS).toBe(30);
    expect(refused.message).toMatch(/try again in 30 s/);
    // Other spellings of the same account share the count; the lock ends on time.
    await expect(assertNotThrottled(t.db, [accountKey(' victim@example.org ')], now)).rejects.toMatchObject({ code: 'rate_limited' });
    await expect(assertNotThrottled(t.db, keys, new Date(now.getTime() + 30_001))).resolves.toBeUndefined();
    expect([5, 6, 7, 20].map((n) => lockMs(n, ACCOUNT_POLICY))).toEqual([30_000, 60_000, 120_000, 15 * 60_000]);
    await clearFailures(t.db, keys[0]);
    await expect(assertNotThrottled(t.db, [keys[0]], now)).resolves.toBeUndefined();
  });

  it('locks an address that tries many accounts', async () => {
    const address = addressKey('10.0.0.2');
    const now = new Date('2026-06-01T11:00:00Z');
    for (let k = 0; k < ADDRESS_POLICY.freeFailures; k++) await recordFailure(t.db, [{ key: accountKey(`u${k}@x.org`), policy: ACCOUNT_POLICY }, { key: address, policy: ADDRESS_POLICY }], now);
    await expect(assertNotThrottled(t.db, [accountKey('fresh@x.org'), address], now)).rejects.toMatchObject({ code: 'rate_limited' });
  });
});

describe('authentication', () => {
  it('takes the same time for unknown accounts as for known ones (bcrypt runs either way)', async () => {
    await createUser(t.db, { email: 'timing@example.org', password: 'a long enough phrase' });
    const time = async (email: string) => {
      const started = performance.now();
      expect(await authenticate(t.db, email, 'not the right phrase')).toBeNull();
      return performance.now() - started;
    };
    await time('nobody@example.org'); // the dummy hash is made once
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const known: number[] = [];
    const unknown: number[] = [];
    for (let k = 0; k < 7; k++) {
      known.push(await time('timing@example.org'));
      unknown.push(await time(`nobody${k}@example.org`));
    }
    console.log(`sign-in check, median of 7: known account ${median(known).toFixed(0)} ms, unknown ${median(unknown).toFixed(0)} ms`);
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.6);
  });
});

describe('server-side sessions', () => {
  it('ends a session on sign-out, and every session on deactivation or a password change', async () => {
    const user = await createUser(t.db, { email: 'sessions@example.org', password: 'first long phrase' });
    const claims = (sid: string, sv = 0) => ({ sub: user.id, jti: sid, sv, exp: Math.floor(Date.now() / 1000) + 3600 });
    expect(await sessionIsLive(t.db, claims('a'))).toBe(true);
    await revokeSession(t.db, claims('a'));
    expect(await sessionIsLive(t.db, claims('a'))).toBe(false);
    expect(await sessionIsLive(t.db, claims('b'))).toBe(true);
    await updateUser(t.db, user.id, { password: 'second long phrase' });
    expect(await sessionIsLive(t.db, claims('b'))).toBe(false);
    expect(await sessionIsLive(t.db, claims('c', 1))).toBe(true);
    await updateUser(t.db, user.id, { active: false });
    expect(await sessionIsLive(t.db, claims('c', 1))).toBe(false);
    expect(await sessionIsLive(t.db, { sub: user.id })).toBe(false); // tokens from before this change carry no session id
  });
});
