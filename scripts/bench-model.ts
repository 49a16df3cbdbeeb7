/**
 * `npm run bench:model`: segmenter speed on the selected backend, per preset and input size, on the real
 * MedSeg slice of model-spec.md ("A peer to compare with": 1.jpg, 351 × 457 px, many lesions; a synthetic
 * slice of that shape when the data is absent). For each preset × size:
 *   - latency: one worker process alone, one warm-up then the median of N training steps (batch 1, Adam)
 *     and of N predict() calls;
 *   - throughput: W workers (default 2, one per core, as the product's two worker processes would) run the
 *     same steps at once from a common start; throughput = W·N images / wall time;
 *   - peak memory of the lone worker: max RSS and tf's peak bytes (tf.profile of the warm-up steps).
 * Each preset × size is measured per inference backend: "wasm" rows are the TensorFlow.js path (train and infer,
 * on the backend the log line names), "onnxruntime" rows the same random-weight model exported to ONNX graphs
 * (infer only; intraOpNumThreads = all cores alone, cores / W in the throughput run).
 * Prints a table beside the torchvision reference (model-spec.md), then, as its last line, one JSON
 * object. Just figures; nothing is asserted. Progress goes to stderr.
 *
 *   npm run bench:model -- [--quick] [--full] [--steps N] [--workers W] [--presets tiny,light] [--sizes 256,512]
 *                          [--backends wasm,onnxruntime] [--profile N]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PRESETS, type PresetName } from '@/lib/model/config';
import { INFERENCE_BACKENDS, type InferenceBackend } from '@/lib/model/inferenceBackend';
import { openSegmentationDataset } from '@/lib/model/data/datasets';
import { sharedDataDir } from '@/lib/testing/paths';
import { phasesOf, type Phase } from './bench-model-phases';
import type { KernelTime, ParentMessage, WorkerMessage, WorkerSpec } from './bench-model-worker';
import { numberArg, parseCli, usageExit } from './cliArgs';

const USAGE = `Usage: npm run bench:model -- [--quick] [--full] [--steps N] [--workers W] [--presets tiny,light] [--sizes 256,512] [--backends wasm,onnxruntime] [--profile N]
  --quick     tiny only, 2 steps
  --full      add the full preset (ResNet50-FPN; slow on CPU)
  --steps N   timed steps per phase after one warm-up (default 3)
  --workers W parallel processes for the throughput figures (default 2)
  --backends  inference backends to measure (default wasm,onnxruntime; onnxruntime rows have no training figures)
  --profile N also list the N kernels that take most of a step's time (the lone worker profiles one extra step; wasm rows)
  CTMS_TF_BACKEND=node|wasm|cpu forces a backend (see lib/model/backend).`;

const root = path.resolve(__dirname, '..');
const WORKER = path.join(__dirname, 'bench-model-worker.ts');
/** The MedSeg slice model-spec.md timed the reference on. */
const MEDSEG_SLICE_ID = '1';

/** torchvision reference, PyTorch 1.13 CPU, 2 threads, batch 1, quiet 2-core machine (model-spec.md). */
const REFERENCE = {
  implementation: 'torchvision Mask R-CNN, PyTorch 1.13 CPU, 2 threads, batch 1, quiet machine (model-spec.md)',
  rows: [
    { preset: 'light', size: 512, trainStepS: [0.94, 1.01], inferS: [0.57, 0.65] },
    { preset: 'light', size: 256, trainStepS: [0.77, 0.77], inferS: [0.46, 0.46] },
    { preset: 'full', size: 512, trainStepS: [4.1, 4.4], inferS: [1.93, 1.99] },
  ],
};

interface WorkerReport {
  /** Seconds of each timed step, per phase. */
  times: Record<Phase, number[]>;
  kernels: Partial<Record<Phase, KernelTime[]>>;
  result: Extract<WorkerMessage, { type: 'result' }>;
}

export interface Row {
  preset: PresetName;
  size: number;
  /** wasm: the TensorFlow.js path; onnxruntime: the ONNX graphs (inference only, so train figures are null). */
  backend: InferenceBackend;
  /** onnxruntime's intra-op threads of the lone worker (null on wasm). */
  threads: number | null;
  /** W workers in parallel: images (slices) per second over the whole machine. */
  trainImagesPerS: number | null;
  inferSlicesPerS: number;
  /** One worker alone: median seconds per step. */
  trainStepS: number | null;
  inferS: number;
  /** Median step time of each worker while W run at once. */
  trainStepParallelS: number | null;
  inferParallelS: number;
  /** Max RSS of the lone worker. */
  peakMB: number;
  tfPeakMB: number;
  workers: number;
  instances: number;
  detections: number;
  /** With --profile: where one step's time goes, per phase. */
  kernels?: Partial<Record<Phase, KernelTime[]>>;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

/**
 * Runs `count` workers on the same spec; each phase starts in all of them at once ("go" after every worker
 * is warm and ready). Returns each worker's report and the wall time of each phase.
 */
async function runWorkers(spec: WorkerSpec, count: number): Promise<{ reports: WorkerReport[]; wallS: Record<Phase, number> }> {
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(spec)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }),
  );
  const output = children.map(() => [] as string[]);
  const partial = children.map(() => ({ times: {} as Record<Phase, number[]>, kernels: {} as WorkerReport['kernels'], result: null as WorkerReport['result'] | null }));
  const wallS = {} as Record<Phase, number>;
  const ready: Record<Phase, number> = { train: 0, infer: 0 };
  const done: Record<Phase, number> = { train: 0, infer: 0 };
  const started: Partial<Record<Phase, number>> = {};

  await Promise.all(
    children.map(
      (child, k) =>
        new Promise<void>((resolve, reject) => {
          child.stdout!.on('data', (d: Buffer) => output[k].push(d.toString()));
          child.stderr!.on('data', (d: Buffer) => output[k].push(d.toString()));
          child.on('message', (m: WorkerMessage) => {
            if (m.type === 'ready' && ++ready[m.phase] === count) {
              started[m.phase] = performance.now();
              for (const c of children) c.send({ type: 'go' } satisfies ParentMessage);
            } else if (m.type === 'done') {
              partial[k].times[m.phase] = m.times;
              if (m.kernels) partial[k].kernels[m.phase] = m.kernels;
              if (++done[m.phase] === count) wallS[m.phase] = (performance.now() - started[m.phase]!) / 1000;
            } else if (m.type === 'result') {
              partial[k].result = m;
            } else if (m.type === 'error') {
              output[k].push(m.message);
            }
          });
          child.on('exit', (code, signal) => {
            if (code === 0 && partial[k].result) return resolve();
            // One failed worker would leave the others waiting for "go": stop them too.
            for (const c of children) if (c !== child && c.exitCode === null) c.kill();
            reject(new Error(`bench worker (${spec.preset}@${spec.size}) exited with ${signal ?? `code ${code}`}:\n${output[k].join('').trim()}`));
          });
        }),
    ),
  );
  return { reports: partial.map((p) => ({ times: p.times, kernels: p.kernels, result: p.result! })), wallS };
}

async function measure(spec: WorkerSpec, workers: number): Promise<{ row: Row; backendLine: string }> {
  const cores = os.availableParallelism();
  const onnx = spec.backend === 'onnxruntime';
  // onnxruntime alone gets every core; W at once share them
  const threads = onnx ? cores : undefined;
  const alone = await runWorkers({ ...spec, threads }, 1);
  const par = await runWorkers({ ...spec, profileTop: 0, threads: onnx ? Math.max(1, Math.floor(cores / workers)) : undefined }, workers);
  const a = alone.reports[0];
  const perWorker = (phase: Phase) => median(par.reports.map((r) => median(r.times[phase])));
  const images = workers * spec.steps;
  const trains = phasesOf(spec.backend).includes('train');
  return {
    backendLine: a.result.backendLine,
    row: {
      preset: spec.preset,
      size: spec.size,
      backend: spec.backend,
      threads: threads ?? null,
      trainImagesPerS: trains ? round(images / par.wallS.train) : null,
      inferSlicesPerS: round(images / par.wallS.infer),
      trainStepS: trains ? round(median(a.times.train)) : null,
      inferS: round(median(a.times.infer)),
      trainStepParallelS: trains ? round(perWorker('train')) : null,
      inferParallelS: round(perWorker('infer')),
      peakMB: Math.round(a.result.maxRssMB),
      tfPeakMB: Math.round(a.result.tfPeakMB),
      workers,
      instances: a.result.instances,
      detections: a.result.detections,
      ...(spec.profileTop ? { kernels: a.kernels } : {}),
    },
  };
}

function benchSample(): { sample: WorkerSpec['sample']; label: string } {
  const dir = path.join(sharedDataDir(), 'medseg-ggo-c');
  if (fs.existsSync(dir)) {
    const ds = openSegmentationDataset(dir);
    const ref = [...ds.train, ...ds.val].find((r) => r.id === MEDSEG_SLICE_ID);
    if (ref) return { sample: { image: ref.image, mask: ref.mask }, label: `MedSeg slice ${ref.image}` };
  }
  process.stderr.write(`MedSeg slice ${MEDSEG_SLICE_ID} not found under ${dir} (set CT_DATA_DIR): using a synthetic 351×457 slice with 18 lesions instead\n`);
  return { sample: null, label: 'synthetic 351×457 slice (MedSeg data absent)' };
}

function referenceFor(preset: string, size: number) {
  const r = REFERENCE.rows.find((x) => x.preset === preset && x.size === size);
  if (!r) return null;
  const mid = (v: number[]) => (v[0] + v[1]) / 2;
  // The reference's one process already uses both cores (2 threads): its throughput is 1 / latency.
  return { trainImagesPerS: 1 / mid(r.trainStepS), inferSlicesPerS: 1 / mid(r.inferS) };
}

/** "Conv2DBackpropFilter 1.77 s (25)" lines, per row and phase. */
function kernelTables(rows: Row[]): string {
  const out: string[] = [];
  for (const r of rows) {
    for (const [phase, kernels] of Object.entries(r.kernels ?? {})) {
      const total = kernels.reduce((s, k) => s + k.ms, 0);
      out.push(`${r.preset}@${r.size} ${phase}, one profiled step (top ${kernels.length} kernels, ${(total / 1000).toFixed(2)} s; calls in brackets):`);
      for (const k of kernels) out.push(`  ${(k.ms / 1000).toFixed(3).padStart(7)} s  ${k.name} (${k.calls})`);
    }
  }
  return out.join('\n');
}

function table(rows: Row[]): string {
  const head = ['preset', 'size', 'backend', 'train s/img', 'infer s/slice', `train img/s (×${rows[0]?.workers})`, `infer slices/s (×${rows[0]?.workers})`, 'par. step s', 'par. infer s', 'RSS MB', 'tf MB', 'GT inst', 'dets', 'ref img/s', 'ref slices/s'];
  const lines = rows.map((r) => {
    const ref = referenceFor(r.preset, r.size);
    const fixed = (x: number | null) => (x === null ? '–' : x.toFixed(2));
    return [r.preset, r.size, r.backend, fixed(r.trainStepS), r.inferS.toFixed(2), fixed(r.trainImagesPerS), r.inferSlicesPerS.toFixed(2), fixed(r.trainStepParallelS), r.inferParallelS.toFixed(2), r.peakMB, r.tfPeakMB, r.instances, r.detections, ref ? ref.trainImagesPerS.toFixed(2) : '–', ref ? ref.inferSlicesPerS.toFixed(2) : '–'].map(String);
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

async function main(): Promise<void> {
  const { values: a } = parseCli(USAGE, {
    quick: { type: 'boolean' }, full: { type: 'boolean' }, steps: { type: 'string' }, workers: { type: 'string' },
    presets: { type: 'string' }, sizes: { type: 'string' }, backends: { type: 'string' }, profile: { type: 'string' }, help: { type: 'boolean' },
  });
  if (a.help) { console.log(USAGE); return; }
  const steps = numberArg(USAGE, 'steps', a.steps, (n) => Number.isInteger(n) && n > 0) ?? (a.quick ? 2 : 3);
  const workers = numberArg(USAGE, 'workers', a.workers, (n) => Number.isInteger(n) && n > 0) ?? 2;
  const presets = (a.presets?.split(',') ?? (a.quick ? ['tiny'] : a.full ? ['tiny', 'light', 'full'] : ['tiny', 'light'])) as PresetName[];
  for (const p of presets) if (!PRESETS.includes(p)) usageExit(USAGE, `--presets: unknown preset "${p}" (use ${PRESETS.join(', ')})`);
  const backends = (a.backends?.split(',') ?? ['wasm', 'onnxruntime']) as InferenceBackend[];
  for (const b of backends) if (!INFERENCE_BACKENDS.includes(b)) usageExit(USAGE, `--backends: unknown backend "${b}" (use ${INFERENCE_BACKENDS.join(', ')})`);
  const profileTop = numberArg(USAGE, 'profile', a.profile, (n) => Number.isInteger(n) && n > 0) ?? 0;
  const sizes = (a.sizes ?? '256,512').split(',').map((s) => numberArg(USAGE, 'sizes', s, (n) => Number.isInteger(n) && n >= 64)!);

  const { sample, label } = benchSample();
  const loadStart = os.loadavg();
  process.stderr.write(`bench:model on ${label}: ${presets.join(', ')} × ${sizes.join(', ')} px × ${backends.join(', ')}, ${steps} steps after a warm-up; ` +
    `${os.cpus().length} cores, load average ${loadStart.map((l) => l.toFixed(2)).join(' ')}\n`);
  const rows: Row[] = [];
  let backendLine = '';
  const t0 = performance.now();
  for (const preset of presets) {
    for (const size of sizes) {
      for (const backend of backends) {
        process.stderr.write(`  ${preset}@${size} on ${backend}: 1 process, then ${workers} in parallel…\n`);
        const m = await measure({ preset, size, steps, sample, seed: 1, profileTop, backend }, workers);
        backendLine ||= m.backendLine;
        rows.push(m.row);
      }
    }
  }
  const loadEnd = os.loadavg();
  const backend = /backend=(\S+)/.exec(backendLine)?.[1] ?? 'unknown';
  console.log(`${backendLine.replace(/^\[model\] /, '')}; sample: ${label}`);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}; load average at start ${loadStart.map((l) => l.toFixed(2)).join(' ')}, at end ${loadEnd.map((l) => l.toFixed(2)).join(' ')}; ${Math.round((performance.now() - t0) / 1000)} s in all`);
  console.log(`latency = 1 process alone (median of ${steps}); throughput = ${workers} processes at once (${workers}×${steps} images / wall time); par. = per-step time while ${workers} run`);
  console.log(table(rows));
  if (profileTop) console.log(kernelTables(rows));
  console.log(`reference (${REFERENCE.implementation}): ${REFERENCE.rows.map((r) => `${r.preset}@${r.size} train ${r.trainStepS.join('–')} s, infer ${r.inferS.join('–')} s`).join('; ')}`);
  console.log(JSON.stringify({
    backend,
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? null, loadAvgStart: loadStart.map((l) => round(l, 2)), loadAvgEnd: loadEnd.map((l) => round(l, 2)) },
    sample: sample ? 'medseg-ggo-c/1' : 'synthetic',
    steps,
    rows,
    reference: REFERENCE,
  }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
