/**
 * Lists the training kernels wasm lacks, registers ours, and prints conv forward/backward GFLOP/s on wasm vs
 * cpu for ResNet-ish 3×3 convolutions (batch 1, 64→64 channels, SAME). Just figures; nothing is asserted.
 *
 *   npx tsx scripts/bench-kernels.ts [--quick]
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@/lib/model/tf';
import { probeTrainingKernels } from '@/lib/model/backend/probeTrainingKernels';
import { registerWasmTrainingKernels } from '@/lib/model/backend/wasmTrainingKernels';

type Pass = 'forward' | 'backprop input' | 'backprop filter';

interface Shape {
  label: string;
  h: number;
  cin: number;
  cout: number;
  stride: number;
}

const quick = process.argv.includes('--quick');
const shapes: Shape[] = [
  { label: '64×64×64, 3×3 s1', h: 64, cin: 64, cout: 64, stride: 1 },
  { label: '128×128×64, 3×3 s1', h: 128, cin: 64, cout: 64, stride: 1 },
  { label: '128×128×64→128, 3×3 s2', h: 128, cin: 64, cout: 128, stride: 2 },
];

function flops(s: Shape): number {
  const ho = Math.ceil(s.h / s.stride);
  return 2 * ho * ho * s.cout * 9 * s.cin;
}

function runPass(pass: Pass, s: Shape, x: tf.Tensor4D, w: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor {
  const common = { strides: s.stride, pad: 'same', dataFormat: 'NHWC' };
  if (pass === 'forward') return tf.conv2d(x, w, s.stride, 'same');
  if (pass === 'backprop input') {
    return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...common, inputShape: x.shape } as never) as tf.Tensor;
  }
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...common, filterShape: w.shape } as never) as tf.Tensor;
}

/** Median seconds of `reps` runs after one warm-up. */
function time(fn: () => tf.Tensor, reps: number): number {
  tf.tidy(() => fn().dataSync());
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    tf.tidy(() => fn().dataSync());
    times.push((performance.now() - t0) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

async function bench(backend: string, passes: Pass[], reps: number, tag = backend): Promise<void> {
  await tf.setBackend(backend);
  for (const s of quick ? shapes.slice(0, 1) : shapes) {
    const ho = Math.ceil(s.h / s.stride);
    const x = tf.randomNormal([1, s.h, s.h, s.cin]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, s.cin, s.cout]) as tf.Tensor4D;
    const dy = tf.randomNormal([1, ho, ho, s.cout]) as tf.Tensor4D;
    for (const pass of passes) {
      const sec = time(() => runPass(pass, s, x, w, dy), reps);
      console.log(`${tag.padEnd(22)} ${s.label.padEnd(24)} ${pass.padEnd(16)} ${(sec * 1000).toFixed(1).padStart(8)} ms  ${(flops(s) / sec / 1e9).toFixed(2).padStart(6)} GFLOP/s`);
    }
    tf.dispose([x, w, dy]);
  }
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  const before = probeTrainingKernels();
  console.log(`wasm kernels missing for a training step: ${before.missing.join(', ') || 'none'}`);
  for (const e of before.errors) console.log(`  ${e.name}: ${e.message}`);

  const builtinBackpropInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  const ours = registerWasmTrainingKernels();
  console.log(`registered for wasm: ${ours.join(', ')}`);
  const after = probeTrainingKernels();
  console.log(`still missing after registration: ${after.missing.join(', ') || 'none'}`);

  const all: Pass[] = ['forward', 'backprop input', 'backprop filter'];
  await bench('wasm', all, 5);
  if (builtinBackpropInput != null) {
    // The replaced built-in, for comparison.
    const replacement = tf.getKernel('Conv2DBackpropInput', 'wasm')!;
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel(builtinBackpropInput);
    await bench('wasm', ['backprop input'], 3, 'wasm (built-in loop)');
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel(replacement);
  }
  await bench('cpu', all, 1);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
