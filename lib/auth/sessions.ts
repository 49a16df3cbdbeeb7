/**
 * Server-side control over signed sessions (JWTs). A token carries its own id (jti) and the user's session version;
 * it is honoured only while the user is active, the version still matches (deactivation and password changes bump
 * it: every older session ends) and its id has not been revoked (sign-out revokes it). Checked on every request.
 */
import type { Db } from '@/lib/db/client';

export interface SessionClaims {
  sub?: string;
  jti?: string;
  sv?: number;
  exp?: number;
}

/** Ends one session for good (sign-out); the row is kept until the token would have expired anyway. */
export async function revokeSession(db: Db, claims: SessionClaims): Promise<void> {
  if (!claims.jti) return;
  const expiresAt = new Date((claims.exp ?? Date.now() / 1000 + 24 * 3600) * 1000);
  await db.revokedSession.upsert({ where: { jti: claims.jti }, create: { jti: claims.jti, expiresAt }, update: {} });
  await db.revokedSession.deleteMany({ where: { expiresAt: { lt: new Date() } } });
}

/** True when the token still stands for an active user's live session. */
export async function sessionIsLive(db: Db, claims: SessionClaims): Promise<boolean> {
  if (!claims.sub || !claims.jti || claims.sv === undefined) return false;
  const [user, revoked] = await Promise.all([
    db.user.findUnique({ where: { id: claims.sub }, select: { active: true, sessionVersion: true } }),
    db.revokedSession.findUnique({ where: { jti: claims.jti }, select: { jti: true } }),
  ]);
  return !!user && user.active && user.sessionVersion === claims.sv && !revoked;
}
