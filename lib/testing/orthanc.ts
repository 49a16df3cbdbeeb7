/**
 * A real PACS for tests: Debian's Orthanc with its DICOMweb plugin, started on a free local port with a throw-away
 * storage folder and HTTP basic auth, stopped and deleted afterwards. Without Orthanc the tests that need it are
 * skipped with a message, unless REQUIRE_ORTHANC=1 (CI, which installs it), which makes a missing Orthanc a failure.
 *
 *   const orthanc = orthancAvailability();
 *   describe.skipIf(!orthanc.available)('… against Orthanc', () => { let pacs: RunningOrthanc; beforeAll(async () => { pacs = await startOrthanc(); }); … });
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const PLUGIN_DIRS = ['/usr/share/orthanc/plugins', '/usr/lib/orthanc'];

export interface OrthancAvailability {
  available: boolean;
  binary?: string;
  plugin?: string;
  reason?: string;
}

function findBinary(): string | undefined {
  if (process.env.ORTHANC_BIN) return existsSync(process.env.ORTHANC_BIN) ? process.env.ORTHANC_BIN : undefined;
  for (const p of ['/usr/sbin/Orthanc', '/usr/bin/Orthanc']) if (existsSync(p)) return p;
  const which = spawnSync('sh', ['-c', 'command -v Orthanc'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

function findPlugin(): string | undefined {
  for (const dir of PLUGIN_DIRS) {
    if (!existsSync(dir)) continue;
    const lib = readdirSync(dir).find((f) => f.startsWith('libOrthancDicomWeb.so'));
    if (lib) return path.join(dir, lib);
  }
  return undefined;
}

let probed: OrthancAvailability | undefined;

export function orthancAvailability(): OrthancAvailability {
  if (probed) return probed;
  const binary = findBinary();
  const plugin = findPlugin();
  const reason = !binary ? 'Orthanc is not installed (Debian: apt-get install orthanc orthanc-dicomweb)' : !plugin ? 'the Orthanc DICOMweb plugin is not installed (Debian: apt-get install orthanc-dicomweb)' : undefined;
  if (reason && process.env.REQUIRE_ORTHANC === '1') throw new Error(`REQUIRE_ORTHANC=1 but ${reason}`);
  if (reason) console.warn(`Skipping the tests against a real PACS: ${reason}.`);
  probed = { available: !reason, binary, plugin, reason };
  return probed;
}

export interface RunningOrthanc {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The DICOMweb root. */
  dicomWeb: string;
  username: string;
  password: string;
  /** Stores part 10 files through Orthanc's REST API (not through the app). */
  upload(files: Uint8Array[]): Promise<void>;
  /** GET on Orthanc's REST API (JSON). */
  rest<T = unknown>(pathname: string): Promise<T>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export async function startOrthanc(): Promise<RunningOrthanc> {
  const { binary, plugin, reason } = orthancAvailability();
  if (!binary || !plugin) throw new Error(reason);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ctms-orthanc-'));
  const port = await freePort();
  const username = 'ctms';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const config = {
    Name: 'ctms-test',
    StorageDirectory: path.join(dir, 'db'),
    IndexDirectory: path.join(dir, 'db'),
    HttpPort: port,
    DicomServerEnabled: false,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [username]: password },
    HttpCompressionEnabled: false,
    Plugins: [plugin],
    DicomWeb: { Enable: true, Root: '/dicom-web/', Host: `127.0.0.1:${port}` },
  };
  writeFileSync(path.join(dir, 'orthanc.json'), JSON.stringify(config));
  const child: ChildProcess = spawn(binary, [path.join(dir, 'orthanc.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const auth = { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), sleep(10_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`Orthanc exited at start (code ${child.exitCode}): ${stderr}`);
    }
    const up = await fetch(`${url}/system`, { headers: auth }).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Orthanc did not answer on ${url} within 30 s: ${stderr}`);
    }
    await sleep(200);
  }
  return {
    url,
    dicomWeb: `${url}/dicom-web`,
    username,
    password,
    async upload(files) {
      for (const f of files) {
        const res = await fetch(`${url}/instances`, { method: 'POST', headers: { ...auth, 'content-type': 'application/dicom' }, body: Buffer.from(f) });
        if (!res.ok) throw new Error(`Orthanc refused an upload: HTTP ${res.status} ${await res.text()}`);
      }
    },
    async rest<T>(pathname: string) {
      const res = await fetch(`${url}${pathname}`, { headers: auth });
      if (!res.ok) throw new Error(`Orthanc ${pathname}: HTTP ${res.status}`);
      return (await res.json()) as T;
    },
    stop,
  };
}
