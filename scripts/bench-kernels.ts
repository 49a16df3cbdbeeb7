/**
 * Lists the training kernels wasm lacks, registers ours, and prints conv forward/backward GFLOP/s on wasm vs
 * cpu for ResNet-ish 3×3 convolutions (batch 1, 64→64 channels, SAME). Just figures; nothing is asserted.
 *
 *   npx tsx scripts/bench-kernels.ts [--quick] [--full]
 *
 * cpu's filter gradient is a scalar loop (about 40 s at 64², minutes at 128²): it runs at 64² only unless --full.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@/lib/model/tf';
import { probeTrainingKernels } from '@/lib/model/backend/probeTrainingKernels';
import { registerWasmTrainingKernels } from '@/lib/model/backend/wasmTrainingKernels';
import { usesIm2col } from '@/lib/model/backend/conv2DBackpropFilter';
import { convGradGeometry } from '@/lib/model/backend/convGeometry';

type Pass = 'forward' | 'backprop input' | 'backprop filter';

interface Shape {
  label: string;
  n: number;
  h: number;
  k: number;
  cin: number;
  cout: number;
  stride: number;
  pad: 'same' | 'valid';
  /** Default: all three passes. */
  passes?: Pass[];
}

const quick = process.argv.includes('--quick');
const full = process.argv.includes('--full');
const shapes: Shape[] = [
  { label: '64×64×64, 3×3 s1', n: 1, h: 64, k: 3, cin: 64, cout: 64, stride: 1, pad: 'same' },
  { label: '128×128×64, 3×3 s1', n: 1, h: 128, k: 3, cin: 64, cout: 64, stride: 1, pad: 'same' },
  { label: '128×128×64→128, 3×3 s2', n: 1, h: 128, k: 3, cin: 64, cout: 128, stride: 2, pad: 'same' },
  // `light` at 512 px: the stride-16 map (layer3, FPN output, RPN head) and the mask head's 4 convs
  { label: '40×40×256, 3×3 s1', n: 1, h: 40, k: 3, cin: 256, cout: 256, stride: 1, pad: 'same' },
  { label: 'mask head 16×14²×128', n: 16, h: 14, k: 3, cin: 128, cout: 128, stride: 1, pad: 'same' },
  // the mask head's up-convolution (conv2dTranspose 14→28, 256 ch) for 8 RoIs is this kernel's dx pass
  { label: 'mask up-conv 8×28²×256', n: 8, h: 28, k: 2, cin: 256, cout: 256, stride: 2, pad: 'valid', passes: ['backprop input'] },
];

function outSize(s: Shape): number {
  return s.pad === 'same' ? Math.ceil(s.h / s.stride) : Math.floor((s.h - s.k) / s.stride) + 1;
}

/** Which formulation our wasm Conv2DBackpropFilter picks for this shape. */
function filterGradIm2col(s: Shape): boolean {
  const g = convGradGeometry([s.n, s.h, s.h, s.cin], [s.k, s.k, s.cin, s.cout], s.stride, 1, s.pad, undefined, false, 'NHWC', 'bench');
  return usesIm2col(g, [s.n, s.h, s.h, s.cin]);
}

function flops(s: Shape): number {
  return 2 * s.n * outSize(s) ** 2 * s.cout * s.k * s.k * s.cin;
}

function runPass(pass: Pass, s: Shape, x: tf.Tensor4D, w: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor {
  const common = { strides: s.stride, pad: s.pad, dataFormat: 'NHWC' };
  if (pass === 'forward') return tf.conv2d(x, w, s.stride, s.pad);
  if (pass === 'backprop input') {
    return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...common, inputShape: x.shape } as never) as tf.Tensor;
  }
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...common, filterShape: w.shape } as never) as tf.Tensor;
}

/** Median seconds of `reps` runs after one warm-up. */
function time(fn: () => tf.Tensor, reps: number): number {
  // Return nothing from tidy: it would walk a returned typed array key by key (seconds for 1M values).
  const once = () => tf.tidy(() => void fn().dataSync());
  once();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    once();
    times.push((performance.now() - t0) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

async function bench(backend: string, passes: Pass[], reps: number, tag = backend): Promise<void> {
  await tf.setBackend(backend);
  for (const s of quick ? shapes.slice(0, 1) : shapes) {
    const ho = outSize(s);
    const x = tf.randomNormal([s.n, s.h, s.h, s.cin]) as tf.Tensor4D;
    const w = tf.randomNormal([s.k, s.k, s.cin, s.cout]) as tf.Tensor4D;
    const dy = tf.randomNormal([s.n, ho, ho, s.cout]) as tf.Tensor4D;
    for (const pass of passes.filter((p) => s.passes == null || s.passes.includes(p))) {
      if (backend === 'cpu' && pass === 'backprop filter' && s.h > 64 && !full) {
        console.log(`${tag.padEnd(22)} ${s.label.padEnd(24)} ${pass.padEnd(16)}  skipped (slow loop; --full runs it)`);
        continue;
      }
      const sec = time(() => runPass(pass, s, x, w, dy), reps);
      const how = backend === 'wasm' && pass === 'backprop filter' ? (filterGradIm2col(s) ? '  (im2col + GEMM)' : '  (as a convolution)') : '';
      console.log(`${tag.padEnd(22)} ${s.label.padEnd(24)} ${pass.padEnd(16)} ${(sec * 1000).toFixed(1).padStart(8)} ms  ${(flops(s) / sec / 1e9).toFixed(2).padStart(6)} GFLOP/s${how}`);
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
