import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { databaseUrl, providerOf } from '@/lib/db/client';
import { dataDir } from '@/lib/paths';

export interface RuntimeEnv {
  dataDir: string;
  port: string;
  appUrl: string;
  databaseLabel: string;
}

/**
 * Fills the environment the app and worker need with safe local defaults, so `npm start` needs no setup:
 * a persistent random NEXTAUTH_SECRET in the data folder, NEXTAUTH_URL on localhost, telemetry off.
 */
export function prepareRuntimeEnv(root: string): RuntimeEnv {
  const dir = path.resolve(root, process.env.DATA_DIR ?? dataDir());
  mkdirSync(dir, { recursive: true });
  process.env.DATA_DIR = dir;
  const port = process.env.PORT ?? '3000';
  process.env.PORT = port;
  process.env.NEXTAUTH_URL ??= `http://localhost:${port}`;
  process.env.NEXT_TELEMETRY_DISABLED = '1';
  if (!process.env.NEXTAUTH_SECRET) {
    const secretFile = path.join(dir, '.nextauth-secret');
    if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
    process.env.NEXTAUTH_SECRET = readFileSync(secretFile, 'utf8').trim();
  }
  const url = databaseUrl();
  process.env.DATABASE_URL = url;
  const provider = providerOf(url);
  return {
    dataDir: dir,
    port,
    appUrl: process.env.NEXTAUTH_URL,
    databaseLabel: provider === 'sqlite' ? url : `postgresql (${new URL(url).host}${new URL(url).pathname})`,
  };
}
