/**
 * RoIAlign forward+backward timing (not a test): `npx tsx lib/model/roiAlign.bench.ts [cpu|wasm] [js|ops]`.
 * 256 RoIs on a 64×64×128 NHWC map (a 512 px image at stride 8), 7×7 and 14×14, sampling ratio 2.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from './random';
import { defaultRoiAlignImpl, roiAlign, type RoiAlignImpl } from './roiAlign';

async function main() {
  const backend = process.argv[2] ?? 'cpu';
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(backend);
  await tf.ready();
  const impl = (process.argv[3] ?? defaultRoiAlignImpl()) as RoiAlignImpl;
  const rng = createRng(7);
  const features = tf.randomNormal([1, 64, 64, 128], 0, 1, 'float32', 1) as tf.Tensor4D;
  const boxes = new Float32Array(256 * 4);
  for (let i = 0; i < 256; i++) {
    const w = 8 + rng.next() * 120, h = 8 + rng.next() * 120;
    const x = rng.next() * (512 - w), y = rng.next() * (512 - h);
    boxes.set([x, y, x + w, y + h], 4 * i);
  }
  for (const size of [7, 14]) {
    const opts = { outputSize: size, spatialScale: 1 / 8, samplingRatio: 2, impl };
    // backward seeded with a fixed dy, so that only RoIAlign's own gradient is timed
    const dy = tf.randomNormal([256, size, size, 128], 0, 1, 'float32', 2);
    const step = () => tf.tidy(() => {
      const g = tf.grad((f: tf.Tensor) => roiAlign(f as tf.Tensor4D, boxes, opts))(features, dy);
      g.dataSync();
    });
    const fwd = () => tf.tidy(() => { roiAlign(features, boxes, opts).dataSync(); });
    step(); fwd();
    // min and median of 7: the minimum is the least disturbed by other processes on the cores
    const time = (fn: () => void, reps = 7) => {
      const t: number[] = [];
      for (let r = 0; r < reps; r++) { const s = performance.now(); fn(); t.push(performance.now() - s); }
      t.sort((a, b) => a - b);
      return `${t[0].toFixed(1)}/${t[Math.floor(reps / 2)].toFixed(1)}`;
    };
    console.log(`${backend}/${impl} ${size}x${size}: forward ${time(fwd)} ms, forward+backward ${time(step)} ms (min/median of 7)`);
    dy.dispose();
  }
  console.log('tensors alive:', tf.memory().numTensors);
}
void main();
