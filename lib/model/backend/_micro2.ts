import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@/lib/model/tf';
async function main() {
  await tf.setBackend('wasm');
  const time = (l: string, f: () => tf.Tensor) => { const ts = []; for (let i = 0; i < 4; i++) { const t0 = performance.now(); tf.tidy(() => { f().dataSync(); }); ts.push(performance.now() - t0); } console.log(l.padEnd(40), Math.min(...ts.slice(1)).toFixed(1), 'ms'); };
  const dy = tf.randomNormal([1, 64, 64, 128]); const w = tf.randomNormal([1, 1, 128, 64]);
  time('conv 1x1 64²x128→64', () => tf.conv2d(dy as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid'));
  time('fill 64²x64', () => tf.fill([1, 64, 64, 64], 0));
  const a = tf.randomNormal([64, 64, 1, 64]);
  time('concat 2x [64,64,1,64] axis 2', () => tf.concat([a, a], 2));
  const b = tf.randomNormal([64, 1, 8192]);
  time('concat 2x [64,1,8192] axis 1', () => tf.concat([b, b], 1));
  const big = tf.randomNormal([1, 130, 130, 64]);
  time('slice 130²→128²x64', () => tf.slice(big, [0, 1, 1, 0], [1, 128, 128, 64]));
  time('reshape+dataSync 128²x64', () => big.reshape([130 * 130, 64]));
  const x = tf.randomNormal([1, 64, 64, 64]); const w3 = tf.randomNormal([3, 3, 64, 64]);
  time('conv 3x3 64²x64', () => tf.conv2d(x as tf.Tensor4D, w3 as tf.Tensor4D, 1, 'same'));
  const xx = tf.randomNormal([1, 64, 64, 64]);
  time('add 64²x64', () => xx.add(1));
}
main();
