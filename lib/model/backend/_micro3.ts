import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@/lib/model/tf';
import { registerWasmTrainingKernels } from './wasmTrainingKernels';
async function main() {
  await tf.setBackend('wasm'); registerWasmTrainingKernels();
  const time = (l: string, f: () => tf.Tensor) => { const ts = []; for (let i = 0; i < 6; i++) { const t0 = performance.now(); tf.tidy(() => { f().dataSync(); }); ts.push(performance.now() - t0); } console.log(l.padEnd(40), Math.min(...ts.slice(1)).toFixed(1), 'ms'); };
  const n = 4, q = 14, c = 256;
  const dy = tf.randomNormal([n, q, q, c]) as tf.Tensor4D; const w = tf.randomNormal([2, 2, c, c]) as tf.Tensor4D;
  time('ours (phases)', () => tf.conv2dTranspose(dy, w, [n, 28, 28, c], 2, 'valid'));
  const w1 = tf.randomNormal([1, 1, c, 4 * c]) as tf.Tensor4D;
  time('one conv to 4C', () => tf.conv2d(dy, w1, 1, 'valid'));
  time('block spread full', () => tf.conv2d(dy, w1, 1, 'valid').reshape([n * q, q, 2, 2 * c]).transpose([0, 2, 1, 3]).reshape([n, 28, 28, c]));
  const w0 = tf.randomNormal([1, 1, c, c]) as tf.Tensor4D;
  time('one 1x1 conv C→C', () => tf.conv2d(dy, w0, 1, 'valid'));
  time('4 convs', () => tf.concat([0, 1, 2, 3].map(() => tf.conv2d(dy, w0, 1, 'valid')), 0));
  const big = tf.randomNormal([1, 56, 56, 256]) as tf.Tensor4D;
  time('1x1 conv 56² C→C (same rows as 4×28²)', () => tf.conv2d(big, w0, 1, 'valid'));
  time('matMul [784,256]x[256,256]', () => tf.matMul(dy.reshape([n * q * q, c]), w0.reshape([c, c])));
}
main();
