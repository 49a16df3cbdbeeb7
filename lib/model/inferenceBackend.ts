/**
 * Which backend runs a segmenter's inference: onnxruntime (default; the version's graphs built in memory, or an
 * exported model.onnx) or wasm (the TensorFlow.js model on the backend runtime.ts selected). When onnxruntime
 * cannot be loaded, or refuses the graphs, a model folder falls back to wasm with one log line saying why; an
 * exported .onnx file has no TensorFlow.js twin and fails with the reason instead.
 *
 *   openSegmenter(modelPath, { backend, threads, log, loader }): { segmenter, backend, sidecar? }
 *   SegmenterCache — one opened segmenter per model version (the worker's score jobs), keyed by version id
 */
import { loadSegmenter } from './io';
import { OnnxModelError, OnnxRuntimeUnavailable, OnnxSegmenter, loadOnnxRuntime, providersFromEnv, type OrtLoader } from './onnx/session';
import type { OnnxSidecar } from './onnx/sidecar';
import type { Segmenter } from './predict';

export const INFERENCE_BACKENDS = ['onnxruntime', 'wasm'] as const;
export type InferenceBackend = (typeof INFERENCE_BACKENDS)[number];

export type OpenedSegmenter = Segmenter & { dispose(): void };

export interface OpenSegmenterOptions {
  backend?: InferenceBackend;
  /** onnxruntime's intraOpNumThreads (the job's cores). */
  threads?: number;
  /** Receives the one line saying which backend runs and, on a fallback, why. */
  log?: (line: string) => void;
  /** Loads onnxruntime-node (tests inject a failing one). */
  loader?: OrtLoader;
}

export const isOnnxFile = (p: string) => /\.onnx$/i.test(p);

export async function openSegmenter(modelPath: string, o: OpenSegmenterOptions = {}): Promise<{ segmenter: OpenedSegmenter; backend: InferenceBackend; sidecar?: OnnxSidecar }> {
  const log = o.log ?? ((line: string) => console.error(line));
  const threads = o.threads ? `, ${o.threads} thread${o.threads === 1 ? '' : 's'}` : '';
  if (isOnnxFile(modelPath)) {
    if (o.backend === 'wasm') throw new Error(`${modelPath} is an ONNX export: it runs on onnxruntime only (use --backend onnxruntime, or the model folder for wasm)`);
    const ort = await loadOnnxRuntime(o.loader);
    const { segmenter, sidecar } = await OnnxSegmenter.fromFile(modelPath, { ort, threads: o.threads });
    log(`[model] inference backend=onnxruntime (${providersFromEnv().join(', ')}${threads}) — ${modelPath}`);
    return { segmenter, backend: 'onnxruntime', sidecar };
  }
  if ((o.backend ?? 'onnxruntime') === 'onnxruntime') {
    try {
      const ort = await loadOnnxRuntime(o.loader);
      const segmenter = await OnnxSegmenter.fromModelDir(modelPath, { ort, threads: o.threads });
      log(`[model] inference backend=onnxruntime (${providersFromEnv().join(', ')}${threads})`);
      return { segmenter, backend: 'onnxruntime' };
    } catch (err) {
      if (!(err instanceof OnnxRuntimeUnavailable || err instanceof OnnxModelError)) throw err;
      log(`[model] inference backend=wasm — ${err.message}`);
    }
  } else {
    log('[model] inference backend=wasm (asked for)');
  }
  return { segmenter: loadSegmenter(modelPath), backend: 'wasm' };
}

/**
 * One opened segmenter per model version: a score job after the first reuses the sessions (graph building and
 * onnxruntime's session set-up are paid once per version and thread count). Keeps the last `capacity` versions.
 */
export class SegmenterCache {
  private readonly entries = new Map<string, Promise<{ segmenter: OpenedSegmenter; backend: InferenceBackend }>>();

  constructor(private readonly capacity = 2) {}

  get(versionId: string, modelDir: string, o: OpenSegmenterOptions = {}): Promise<{ segmenter: OpenedSegmenter; backend: InferenceBackend }> {
    const key = `${versionId}|${o.backend ?? 'onnxruntime'}|${o.threads ?? 0}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = openSegmenter(modelDir, o);
      // a failed open is not remembered: the next job tries again
      entry.catch(() => this.entries.delete(key));
      this.entries.set(key, entry);
      while (this.entries.size > this.capacity) {
        const [oldest, opened] = this.entries.entries().next().value!;
        this.entries.delete(oldest);
        void opened.then((x) => x.segmenter.dispose(), () => {});
      }
    } else {
      // most recently used last
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  clear(): void {
    for (const e of this.entries.values()) void e.then((x) => x.segmenter.dispose(), () => {});
    this.entries.clear();
  }
}
