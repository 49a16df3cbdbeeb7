/**
 * Secrets at rest (DICOMweb passwords and tokens): AES-256-GCM with a key derived from the app's secret
 * (NEXTAUTH_SECRET, which every app server and worker shares; else the one `npm start` keeps in
 * DATA_DIR/.nextauth-secret). A sealed value is `v1:<iv>:<tag>:<ciphertext>` in base64url; GCM's tag makes any
 * change to it, or a different app secret, fail to open instead of yielding garbage.
 */
import { DomainError } from '@/lib/errors';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dataDir } from '@/lib/paths';

const VERSION = 'v1';
/** HKDF context: a key for this purpose only, never the session-signing key itself. */
const INFO = 'ct-mask-studio/secret-box/v1';

export class SecretBoxError extends DomainError {
  constructor(message: string) {
    super('conflict', message);
  }
}

/** The app's secret: NEXTAUTH_SECRET, else DATA_DIR/.nextauth-secret (written by `npm start`). */
export function appSecret(env: Record<string, string | undefined> = process.env): string {
  if (env.NEXTAUTH_SECRET) return env.NEXTAUTH_SECRET;
  const file = path.join(dataDir(), '.nextauth-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new SecretBoxError('no app secret: set NEXTAUTH_SECRET (the same on every app server and worker) or start the app once with npm start');
}

function keyFrom(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), INFO, 32));
}

export function seal(plaintext: string, secret: string = appSecret()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(secret), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join(':');
}

export function open(sealed: string, secret: string = appSecret()): string {
  const [version, iv, tag, body] = sealed.split(':');
  if (version !== VERSION || !iv || !tag || body === undefined) throw new SecretBoxError('stored secret is not in the expected format');
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFrom(secret), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError('stored secret cannot be opened: it was sealed with another app secret (NEXTAUTH_SECRET changed?) or altered; enter the credentials again');
  }
}
