/**
 * Login throttling (OWASP ASVS V2.2.1), per account and per client address, kept in the database so every app
 * server sees the same counts. After a few failures within the window a key is locked for a time that doubles with
 * each further failure (capped); while either key is locked every attempt is refused at once with the time to wait,
 * the right password included, so guessing cannot go faster than the lock allows. A successful sign-in clears the
 * account's count.
 */
import type { Db } from '@/lib/db/client';
import { DomainError } from '@/lib/errors';

export interface ThrottlePolicy {
  /** Failures allowed within `windowMs` before the key locks. */
  freeFailures: number;
  windowMs: number;
  firstLockMs: number;
  maxLockMs: number;
}

const MINUTE = 60_000;
/** An account: a typo or two, then 30 s, 1 min, 2 min, … up to 15 min. */
export const ACCOUNT_POLICY: ThrottlePolicy = { freeFailures: 5, windowMs: 15 * MINUTE, firstLockMs: 30_000, maxLockMs: 15 * MINUTE };
/** An address (an office behind one NAT signs in from one address): more room, the same doubling. */
export const ADDRESS_POLICY: ThrottlePolicy = { freeFailures: 20, windowMs: 15 * MINUTE, firstLockMs: 30_000, maxLockMs: 15 * MINUTE };

export const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;
export const addressKey = (address: string) => `address:${address}`;

/** The lock after `failures` failures: none while within the free ones, then doubling. */
export function lockMs(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.freeFailures) return 0;
  return Math.min(policy.maxLockMs, policy.firstLockMs * 2 ** (failures - policy.freeFailures));
}

/** Throws rate_limited (with seconds to wait) when any of the keys is locked now. */
export async function assertNotThrottled(db: Db, keys: string[], now = new Date()): Promise<void> {
  const locked = await db.loginThrottle.findMany({ where: { key: { in: keys }, lockedUntil: { gt: now } }, select: { lockedUntil: true } });
  if (locked.length === 0) return;
  const until = Math.max(...locked.map((l) => l.lockedUntil!.getTime()));
  const seconds = Math.ceil((until - now.getTime()) / 1000);
  throw new DomainError('rate_limited', `Too many failed sign-ins: try again in ${seconds} s`, { retryAfterS: seconds }, seconds);
}

/** Counts a failed sign-in against each key (a new window when the old one has passed) and locks as the policy says. */
export async function recordFailure(db: Db, keys: { key: string; policy: ThrottlePolicy }[], now = new Date()): Promise<void> {
  for (const { key, policy } of keys) {
    const row = await db.loginThrottle.findUnique({ where: { key } });
    const fresh = !row || now.getTime() - row.firstFailureAt.getTime() > policy.windowMs;
    const failures = fresh ? 1 : row.failures + 1;
    const lock = lockMs(failures, policy);
    const data = { failures, firstFailureAt: fresh ? now : row.firstFailureAt, lockedUntil: lock ? new Date(now.getTime() + lock) : null };
    await db.loginThrottle.upsert({ where: { key }, create: { key, ...data }, update: data });
  }
}

export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.loginThrottle.deleteMany({ where: { key } });
}
