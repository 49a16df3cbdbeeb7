/**
 * The DICOMweb servers an admin has connected. Credentials (basic user:password or a bearer token) are sealed with
 * the app's secret before they reach the database and are opened only where a request to the server is made: the
 * public view the API returns says whether credentials are set, never what they are.
 */
import { DomainError } from '@/lib/errors';
import { z } from 'zod';
import type { Db } from '@/lib/db/client';
import { open, seal } from '@/lib/crypto/secretBox';
import type { DicomWebAuth, DicomWebEndpoint } from './client';

const httpUrl = z
  .string()
  .trim()
  .url('the address must be a URL such as http://pacs.example.org/dicom-web')
  .refine((u) => /^https?:$/.test(new URL(u).protocol), 'the address must start with http:// or https://')
  .refine((u) => !new URL(u).username && !new URL(u).password, 'put credentials in the credential fields, not in the address')
  .transform((u) => u.replace(/\/+$/, ''));

export const authInputSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('basic'), username: z.string().min(1).max(256), password: z.string().min(1).max(1024) }),
  z.object({ type: z.literal('bearer'), token: z.string().min(1).max(8192) }),
]);

export const serverInputSchema = z.object({
  name: z.string().trim().min(1).max(80),
  baseUrl: httpUrl,
  auth: authInputSchema.default({ type: 'none' }),
  timeoutS: z.number().int().min(1).max(600).default(60),
});
export type ServerInput = z.input<typeof serverInputSchema>;

/** What the API and the UI see of a server. */
export interface PublicServer {
  id: string;
  name: string;
  baseUrl: string;
  authType: DicomWebAuth['type'];
  hasCredentials: boolean;
  timeoutS: number;
  createdAt: Date;
}

export class ServerNotFoundError extends DomainError {
  constructor(message: string) {
    super('not_found', message);
  }
}
export class ServerNameTakenError extends DomainError {
  constructor(message: string) {
    super('conflict', message);
  }
}

const publicFields = { id: true, name: true, baseUrl: true, authType: true, credentials: true, timeoutS: true, createdAt: true } as const;

function toPublic(row: { id: string; name: string; baseUrl: string; authType: string; credentials: string | null; timeoutS: number; createdAt: Date }): PublicServer {
  return { id: row.id, name: row.name, baseUrl: row.baseUrl, authType: row.authType as DicomWebAuth['type'], hasCredentials: row.credentials !== null, timeoutS: row.timeoutS, createdAt: row.createdAt };
}

function sealAuth(auth: z.infer<typeof authInputSchema>): string | null {
  if (auth.type === 'basic') return seal(JSON.stringify({ username: auth.username, password: auth.password }));
  if (auth.type === 'bearer') return seal(JSON.stringify({ token: auth.token }));
  return null;
}

export async function createServer(db: Db, input: ServerInput, createdById?: string): Promise<PublicServer> {
  const s = serverInputSchema.parse(input);
  if (await db.dicomWebServer.findUnique({ where: { name: s.name }, select: { id: true } })) throw new ServerNameTakenError(`a DICOMweb server named "${s.name}" already exists`);
  const row = await db.dicomWebServer.create({
    data: { name: s.name, baseUrl: s.baseUrl, authType: s.auth.type, credentials: sealAuth(s.auth), timeoutS: s.timeoutS, createdById: createdById ?? null },
    select: publicFields,
  });
  return toPublic(row);
}

export async function listServers(db: Db): Promise<PublicServer[]> {
  return (await db.dicomWebServer.findMany({ orderBy: { name: 'asc' }, select: publicFields })).map(toPublic);
}

export async function getServer(db: Db, id: string): Promise<PublicServer> {
  const row = await db.dicomWebServer.findUnique({ where: { id }, select: publicFields });
  if (!row) throw new ServerNotFoundError(`no DICOMweb server with id ${id}`);
  return toPublic(row);
}

export async function deleteServer(db: Db, id: string): Promise<void> {
  const { count } = await db.dicomWebServer.deleteMany({ where: { id } });
  if (count === 0) throw new ServerNotFoundError(`no DICOMweb server with id ${id}`);
}

/** Where and how to reach a server, credentials opened: for requests made on the server side only. */
export async function serverEndpoint(db: Db, id: string): Promise<DicomWebEndpoint & { id: string; name: string }> {
  const row = await db.dicomWebServer.findUnique({ where: { id } });
  if (!row) throw new ServerNotFoundError(`no DICOMweb server with id ${id} (was it removed?)`);
  let auth: DicomWebAuth = { type: 'none' };
  if (row.authType !== 'none' && row.credentials) {
    const secret = JSON.parse(open(row.credentials)) as { username?: string; password?: string; token?: string };
    auth = row.authType === 'basic' ? { type: 'basic', username: secret.username ?? '', password: secret.password ?? '' } : { type: 'bearer', token: secret.token ?? '' };
  }
  return { id: row.id, name: row.name, baseUrl: row.baseUrl, auth, timeoutMs: row.timeoutS * 1000 };
}

/** Study.source of studies imported from a server: their scanKey is the SeriesInstanceUID. */
export const dicomWebSource = (serverId: string) => `dicomweb:${serverId}`;

/** The server id a study came from, when it came from one. */
export function serverIdOfSource(source: string): string | undefined {
  return source.startsWith('dicomweb:') ? source.slice('dicomweb:'.length) : undefined;
}
