import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@/lib/model/tf';
import { registerWasmTrainingKernels } from './wasmTrainingKernels';
async function main() {
  await tf.setBackend('wasm');
  const builtin = tf.getKernel('Conv2DBackpropInput', 'wasm')!;
  registerWasmTrainingKernels();
  const ours = tf.getKernel('Conv2DBackpropInput', 'wasm')!;
  const use = (k: typeof ours) => { tf.unregisterKernel('Conv2DBackpropInput', 'wasm'); tf.registerKernel(k); };
  const cases = [
    { l: '64² 3x3 s1', n: 1, h: 64, k: 3, ci: 64, co: 64, s: 1, pad: 'same' },
    { l: '128² 3x3 s2 64→128', n: 1, h: 128, k: 3, ci: 64, co: 128, s: 2, pad: 'same' },
    { l: '128² 1x1 s2 64→128', n: 1, h: 128, k: 1, ci: 64, co: 128, s: 2, pad: 'valid' },
    { l: 'mask 4×28² 2x2 s2 256', n: 4, h: 28, k: 2, ci: 256, co: 256, s: 2, pad: 'valid' },
  ];
  for (const c of cases) {
    const ho = c.pad === 'same' ? Math.ceil(c.h / c.s) : Math.floor((c.h - c.k) / c.s) + 1;
    const dy = tf.randomNormal([c.n, ho, ho, c.co]); const w = tf.randomNormal([c.k, c.k, c.ci, c.co]);
    const run = () => tf.tidy(() => { (tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: c.s, pad: c.pad, dataFormat: 'NHWC', inputShape: [c.n, c.h, c.h, c.ci] } as never) as tf.Tensor).dataSync(); });
    const t: Record<string, number[]> = { ours: [], builtin: [] };
    for (let i = 0; i < 4; i++) for (const [name, k] of [['ours', ours], ['builtin', builtin]] as const) { use(k); const t0 = performance.now(); run(); t[name].push(performance.now() - t0); }
    const fl = 2 * c.n * ho * ho * c.co * c.k * c.k * c.ci;
    console.log(c.l.padEnd(24), 'ours', Math.min(...t.ours.slice(1)).toFixed(0), 'ms', (fl / Math.min(...t.ours.slice(1)) / 1e6).toFixed(2), 'GF/s | builtin', Math.min(...t.builtin.slice(1)).toFixed(0), 'ms', (fl / Math.min(...t.builtin.slice(1)) / 1e6).toFixed(2));
  }
}
main();
