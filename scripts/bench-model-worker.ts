/**
 * One measuring process of `npm run bench:model` (scripts/bench-model.ts starts it as
 * `node --import tsx scripts/bench-model-worker.ts '<json spec>'` with an IPC channel). It builds the segmenter
 * for one preset and input size, then for each phase (train, infer): one warm-up step, profiled for
 * tf's peak bytes; "ready" to the parent; wait for "go" (so parallel workers time the same interval);
 * N timed steps; "done" with their durations. Finally "result" with the peak memory, and exit.
 * Steps are the product's own paths: segmenterStep (batch 1, Adam, no augmentation) and predict(). With
 * `backend: 'onnxruntime'` only the infer phase runs (training stays on TensorFlow.js): the same random-weight
 * model as ONNX graphs in onnxruntime sessions with `threads` intra-op threads, through predictWith().
 */
import * as tf from '@/lib/model/tf';
import { selectBackend } from '@/lib/model/backend';
import { makeSegmenterConfig, MaskRcnn, predict, readSegmentationSample, type PresetName } from '@/lib/model';
import type { InferenceBackend } from '@/lib/model/inferenceBackend';
import { loadOnnxRuntime, OnnxSegmenter } from '@/lib/model/onnx/session';
import { predictWith } from '@/lib/model/predict';
import { phasesOf, type Phase } from './bench-model-phases';
import type { GreySlice } from '@/lib/model/data/augment';
import type { LabelledSlice } from '@/lib/model/data/datasets';
import { prepareTrainingSample } from '@/lib/model/data/prepare';
import { createRng } from '@/lib/model/random';
import { Adam } from '@/lib/model/train/adam';
import { SEGMENTER_RECIPES, TRAINER_FALLBACKS } from '@/lib/model/train/recipes';
import { segmenterStep } from '@/lib/model/train/trainSegmenter';

export interface WorkerSpec {
  preset: PresetName;
  /** Short side the slice is resized to (transform.minSize; maxSize = 2 × size). */
  size: number;
  steps: number;
  /** A MedSeg image/mask pair, or null for the synthetic slice. */
  sample: { image: string; mask: string } | null;
  seed: number;
  /** Also profile one more step per phase and report the kernels that took the most time (0: don't). */
  profileTop?: number;
  /** Inference backend: wasm (TensorFlow.js, train and infer) or onnxruntime (infer only). */
  backend: InferenceBackend;
  /** onnxruntime's intraOpNumThreads. */
  threads?: number;
}

/** Time spent in one kernel (tf.profile's name) over a step, summed over its calls. */
export interface KernelTime {
  name: string;
  ms: number;
  calls: number;
}


export type WorkerMessage =
  | { type: 'ready'; phase: Phase }
  | { type: 'done'; phase: Phase; times: number[]; kernels?: KernelTime[] }
  | { type: 'result'; backend: string; backendLine: string; instances: number; detections: number; maxRssMB: number; tfPeakMB: number }
  | { type: 'error'; message: string };

export type ParentMessage = { type: 'go' };


/**
 * A stand-in with the MedSeg slice's shape (351 wide × 457 tall): a bright body, two dark lungs and
 * 18 lesions (12 GGO, 6 C) of 3–18 px radius, so the RoI heads see a realistic number of positives.
 */
function syntheticSlice(): LabelledSlice {
  const width = 351, height = 457;
  const pixels = new Float32Array(width * height);
  const labels = new Uint8Array(width * height);
  const rng = createRng(7);
  const inEllipse = (x: number, y: number, cx: number, cy: number, rx: number, ry: number) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
  const lungs = [[175, 130, 140, 90], [175, 330, 140, 95]];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const body = inEllipse(x, y, 175, 228, 170, 225);
      const lung = lungs.some(([cx, cy, rx, ry]) => inEllipse(x, y, cx, cy, rx, ry));
      pixels[y * width + x] = (lung ? 0.1 : body ? 0.55 : 0) + 0.04 * rng.next();
    }
  }
  for (let k = 0; k < 18; k++) {
    const [cx, cy, rx, ry] = lungs[k % 2];
    const px = cx + (rng.next() - 0.5) * rx, py = cy + (rng.next() - 0.5) * ry;
    const r = 3 + 15 * rng.next();
    const label = k % 3 === 2 ? 2 : 1;
    for (let y = Math.max(0, Math.floor(py - r)); y < Math.min(height, py + r); y++) {
      for (let x = Math.max(0, Math.floor(px - r)); x < Math.min(width, px + r); x++) {
        if (!inEllipse(x, y, px, py, r, r * 0.8)) continue;
        labels[y * width + x] = label;
        pixels[y * width + x] = label === 2 ? 0.6 : 0.35;
      }
    }
  }
  return { id: 'synthetic', image: { width, height, pixels } as GreySlice, labels, mode: 'classes' };
}

/**
 * Kernel times of a profiled step, largest first. Ops that wrap a kernel of their own (fused ops, custom
 * gradients) appear as scopes around it: only kernels that the backend registers are counted, so no time
 * is counted twice.
 */
async function topKernels(profile: Awaited<ReturnType<typeof tf.profile>>, top: number): Promise<KernelTime[]> {
  const backendName = tf.getBackend();
  const byName = new Map<string, KernelTime>();
  for (const k of profile.kernels) {
    if (tf.getKernel(k.name, backendName) == null) continue;
    const ms = await k.kernelTimeMs;
    const t = byName.get(k.name) ?? { name: k.name, ms: 0, calls: 0 };
    t.ms += typeof ms === 'number' ? ms : 0;
    t.calls++;
    byName.set(k.name, t);
  }
  return [...byName.values()].sort((a, b) => b.ms - a.ms).slice(0, top).map((t) => ({ ...t, ms: Math.round(t.ms) }));
}

const send = (m: WorkerMessage) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

function waitForGo(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (m: ParentMessage) => {
      if (m?.type !== 'go') return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
  });
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('bench-model-worker runs under scripts/bench-model.ts (it needs an IPC channel)');
  const spec = JSON.parse(process.argv[2] ?? 'null') as WorkerSpec;
  if (!spec?.preset || !spec.size || !spec.steps) throw new Error(`bench-model-worker: bad spec ${process.argv[2]}`);
  const backend = await selectBackend({ log: () => {} });
  const sample = spec.sample ? await readSegmentationSample({ id: 'bench', ...spec.sample }) : syntheticSlice();
  const config = makeSegmenterConfig(spec.preset, 'both', { transform: { minSize: spec.size, maxSize: 2 * spec.size } });
  const model = new MaskRcnn(config, spec.seed);
  // the learning rate does not change a step's cost; the pretraining recipe's is as good as any
  const adam = new Adam({ ...TRAINER_FALLBACKS, lr: SEGMENTER_RECIPES.pretrain.lr });
  const rng = createRng(spec.seed + 1);
  const probe = prepareTrainingSample(sample.image, sample.labels, sample.mode, config);
  probe.input.image.dispose();
  const instances = probe.targets.labels.length;

  let detections = 0;
  const onnx = spec.backend === 'onnxruntime' ? await OnnxSegmenter.fromModel(model, { ort: await loadOnnxRuntime(), threads: spec.threads }) : null;
  const step: Record<Phase, () => Promise<void>> = {
    train: async () => void segmenterStep(model, sample, rng, adam, { augment: null }),
    infer: onnx
      ? async () => void (detections = (await predictWith(onnx, sample.image)).instances.length)
      : async () => void (detections = predict(model, sample.image).instances.length),
  };
  let tfPeakBytes = tf.memory().numBytes;
  for (const phase of phasesOf(spec.backend)) {
    if (onnx) {
      await step[phase]();
    } else {
      // The warm-up step is profiled: tf.profile records the bytes held after every kernel.
      const profile = await tf.profile(() => step[phase]());
      tfPeakBytes = Math.max(tfPeakBytes, profile.peakBytes);
    }
    const go = waitForGo();
    await send({ type: 'ready', phase });
    await go;
    const times: number[] = [];
    for (let i = 0; i < spec.steps; i++) {
      const t0 = performance.now();
      await step[phase]();
      times.push((performance.now() - t0) / 1000);
    }
    // tfjs kernels say nothing about onnxruntime's time
    const kernels = spec.profileTop && !onnx ? await topKernels(await tf.profile(() => step[phase]()), spec.profileTop) : undefined;
    await send({ type: 'done', phase, times, kernels });
  }
  onnx?.dispose();
  await send({
    type: 'result',
    backend: backend.name,
    backendLine: backend.logLine,
    instances,
    detections,
    // resourceUsage().maxRSS is in kibibytes.
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    tfPeakMB: tfPeakBytes / 2 ** 20,
  });
}

main().then(
  () => process.exit(0),
  async (e: unknown) => {
    const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
    if (process.send) await send({ type: 'error', message });
    else console.error(message);
    process.exit(1);
  },
);
