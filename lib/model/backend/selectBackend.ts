/**
 * Picks the fastest TensorFlow.js backend this machine has, once per process:
 * `@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node` (optionalDependencies that install only where
 * libtensorflow can be downloaded), then wasm with the training kernels it lacks registered, then cpu.
 * `CTMS_TF_BACKEND=node-gpu|node|wasm|cpu` (or `options.backend`, which wins) forces one and fails loudly
 * when it cannot be had. The native packages register their 'tensorflow' backend into the same global tfjs
 * engine that `@/lib/model/tf` drives, so the rest of the code never imports them.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@/lib/model/tf';
import { registerWasmTrainingKernels } from './wasmTrainingKernels';

export const BACKEND_NAMES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export const BACKEND_ENV_VAR = 'CTMS_TF_BACKEND';

const NATIVE_PACKAGE: Record<'node-gpu' | 'node', string> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
};

export interface BackendSelection {
  name: BackendName;
  /** The tfjs backend name now active: 'tensorflow', 'wasm' or 'cpu'. */
  tfBackend: string;
  /** 'GPU', 'CPU', or 'unknown' when tfjs-node-gpu does not say. */
  device: 'GPU' | 'CPU' | 'unknown';
  /** Threads the backend computes on; null where TensorFlow sizes its own pool (native backends). */
  threads: number | null;
  /** wasm only: whether the SIMD build runs. */
  simd: boolean | null;
  chosenBy: 'auto' | 'option' | 'env';
  /** Why faster backends were passed over (auto mode), e.g. "tfjs-node not installed". */
  skipped: string[];
  /** Kernels registered for wasm (empty on other backends). */
  wasmKernels: string[];
  /** The one line logged, e.g. "[model] backend=wasm (simd, 1 thread) — tfjs-node not installed". */
  logLine: string;
}

export interface SelectBackendOptions {
  /** Force a backend (wins over CTMS_TF_BACKEND). */
  backend?: BackendName;
  /** Where CTMS_TF_BACKEND is read; default process.env. */
  env?: Record<string, string | undefined>;
  /** Receives the one log line; default console.log. */
  log?: (line: string) => void;
  /** Loads an optional package; default a dynamic import (tests substitute it). */
  importPackage?: (name: string) => Promise<unknown>;
}

/** The backend asked for, if any: options first, then the environment variable. */
export function requestedBackend(options: Pick<SelectBackendOptions, 'backend' | 'env'> = {}): {
  name: BackendName | null;
  chosenBy: BackendSelection['chosenBy'];
} {
  if (options.backend != null) {
    if (!BACKEND_NAMES.includes(options.backend)) {
      throw new Error(`selectBackend: unknown backend '${options.backend}'; use one of ${BACKEND_NAMES.join(', ')}`);
    }
    return { name: options.backend, chosenBy: 'option' };
  }
  const raw = (options.env ?? process.env)[BACKEND_ENV_VAR]?.trim();
  if (raw == null || raw === '') return { name: null, chosenBy: 'auto' };
  if (!(BACKEND_NAMES as readonly string[]).includes(raw)) {
    throw new Error(
      `${BACKEND_ENV_VAR}=${JSON.stringify(raw)} is not a backend: use one of ${BACKEND_NAMES.join(', ')}, ` +
        `or unset it to pick the fastest available`,
    );
  }
  return { name: raw as BackendName, chosenBy: 'env' };
}

/** The folder holding the wasm binaries (…/@tensorflow/tfjs-backend-wasm/dist/), or null if unresolvable. */
export function resolveWasmDistDir(): string | null {
  try {
    const require = createRequire(path.join(process.cwd(), 'package.json'));
    return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  } catch {
    return null;
  }
}

const defaultImport = (name: string): Promise<unknown> => import(/* webpackIgnore: true */ name);

function isNotInstalled(e: unknown, pkg: string): boolean {
  const err = e as { code?: string; message?: string };
  return (
    (err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND') &&
    String(err.message ?? '').includes(pkg)
  );
}

type Attempt = { ok: true; selection: Omit<BackendSelection, 'chosenBy' | 'skipped' | 'logLine'> } | { ok: false; reason: string };

async function tryNative(name: 'node-gpu' | 'node', importPackage: (n: string) => Promise<unknown>): Promise<Attempt> {
  const pkg = NATIVE_PACKAGE[name];
  let mod: { version?: Record<string, string> };
  try {
    mod = (await importPackage(pkg)) as typeof mod;
  } catch (e) {
    if (isNotInstalled(e, pkg)) return { ok: false, reason: `${pkg.replace('@tensorflow/', '')} not installed` };
    const first = String((e as Error).message ?? e).split('\n')[0];
    return { ok: false, reason: `${pkg.replace('@tensorflow/', '')} failed to load (${first})` };
  }
  if (!(await tf.setBackend('tensorflow'))) {
    return { ok: false, reason: `${pkg.replace('@tensorflow/', '')} loaded but its 'tensorflow' backend did not start` };
  }
  // NodeJSKernelBackend records whether libtensorflow found a CUDA device.
  const gpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
  const version = mod.version?.['tfjs-node'] ?? (mod as { default?: { version?: Record<string, string> } }).default?.version?.['tfjs-node'];
  return {
    ok: true,
    selection: {
      name,
      tfBackend: 'tensorflow',
      device: gpu === true ? 'GPU' : gpu === false ? 'CPU' : 'unknown',
      threads: null,
      simd: null,
      wasmKernels: [],
      ...(version ? { version } : {}),
    },
  };
}

async function tryWasm(): Promise<Attempt> {
  // Register before the backend starts: our kernels need no setup, and nothing can run without them.
  const wasmKernels = registerWasmTrainingKernels();
  let started = await tf.setBackend('wasm');
  if (!started) {
    // In Node the package finds its .wasm files beside itself; a bundler can move the JS away from them.
    const dir = resolveWasmDistDir();
    if (dir != null) {
      setWasmPaths(dir + path.sep);
      started = await tf.setBackend('wasm');
    }
  }
  if (!started) return { ok: false, reason: 'wasm backend failed to start (see the warning above)' };
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return {
    ok: true,
    selection: { name: 'wasm', tfBackend: 'wasm', device: 'CPU', threads: getThreadsCount(), simd, wasmKernels },
  };
}

async function tryCpu(): Promise<Attempt> {
  if (!(await tf.setBackend('cpu'))) return { ok: false, reason: 'cpu backend failed to start' };
  // The cpu backend advertises tfjs-node on its first write in Node: a second log line saying what ours says.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return { ok: true, selection: { name: 'cpu', tfBackend: 'cpu', device: 'CPU', threads: 1, simd: null, wasmKernels: [] } };
}

function describe(s: Omit<BackendSelection, 'logLine'> & { version?: string }): string {
  const details: string[] = [];
  if (s.name === 'node-gpu' || s.name === 'node') {
    if (s.version) details.push(`tfjs-node ${s.version}`);
    details.push(`device ${s.device}`);
  } else {
    if (s.simd) details.push('simd');
    details.push(`${s.threads} thread${s.threads === 1 ? '' : 's'}`);
  }
  const why =
    s.chosenBy === 'env'
      ? `set by ${BACKEND_ENV_VAR}=${s.name}`
      : s.chosenBy === 'option'
        ? 'requested by the caller'
        : s.skipped.join(', ');
  return `[model] backend=${s.name} (${details.join(', ')})${why ? ` — ${why}` : ''}`;
}

async function select(options: SelectBackendOptions): Promise<BackendSelection> {
  const { name: requested, chosenBy } = requestedBackend(options);
  const importPackage = options.importPackage ?? defaultImport;
  const order: BackendName[] = requested != null ? [requested] : [...BACKEND_NAMES];
  const skipped: string[] = [];
  for (const name of order) {
    const attempt =
      name === 'node-gpu' || name === 'node' ? await tryNative(name, importPackage) : name === 'wasm' ? await tryWasm() : await tryCpu();
    if (attempt.ok) {
      const partial = { ...attempt.selection, chosenBy, skipped };
      const logLine = describe(partial);
      const { version: _version, ...rest } = partial as typeof partial & { version?: string };
      (options.log ?? console.log)(logLine);
      return { ...rest, logLine };
    }
    if (requested != null) {
      const how = chosenBy === 'env' ? `${BACKEND_ENV_VAR}=${requested}` : `backend '${requested}'`;
      const hint =
        requested === 'node-gpu' || requested === 'node'
          ? `; install ${NATIVE_PACKAGE[requested]} on a machine that can download libtensorflow, or unset ${BACKEND_ENV_VAR}`
          : '';
      throw new Error(`${how} was requested but ${attempt.reason}${hint}`);
    }
    skipped.push(attempt.reason);
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.join('; ')}`);
}

let selection: { promise: Promise<BackendSelection>; requested: BackendName | null } | undefined;

/**
 * Selects and activates the backend (see the module comment) and logs one line saying which. Idempotent:
 * later calls return the first call's result; asking for a different backend afterwards is an error, since
 * tensors and kernels are already bound to the first one.
 */
export function selectBackend(options: SelectBackendOptions = {}): Promise<BackendSelection> {
  if (selection != null) {
    const wanted = options.backend ?? null;
    if (wanted != null && selection.requested !== wanted) {
      return selection.promise.then((s) => {
        if (s.name === wanted) return s;
        throw new Error(`selectBackend: backend '${s.name}' is already selected in this process; cannot switch to '${wanted}'`);
      });
    }
    return selection.promise;
  }
  const promise = select(options);
  const entry = { promise, requested: options.backend ?? null };
  selection = entry;
  // A failed selection (bad variable, missing package) is not remembered: the caller may fix and retry.
  promise.catch(() => {
    if (selection === entry) selection = undefined;
  });
  return promise;
}
