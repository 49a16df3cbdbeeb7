import * as tf from '@tensorflow/tfjs';
import { makeSegmenterConfig } from '@/lib/model/config';
import { openSegmentationDataset, readSegmentationSample } from '@/lib/model/data/datasets';
import { MaskRcnn } from '@/lib/model/maskRcnn';
import { createRng } from '@/lib/model/random';
import { Adam } from '@/lib/model/train/adam';
import { segmenterStep } from '@/lib/model/train/trainSegmenter';
import { useTestBackend } from '@/lib/model/train/testBackend';
import { evaluateSegmenter } from '@/lib/model/evaluate';
async function main() {
  await useTestBackend();
  const size = Number(process.argv[2] ?? 160);
  const lr = Number(process.argv[3] ?? 1e-3);
  const steps = Number(process.argv[4] ?? 100);
  const cfg = makeSegmenterConfig('tiny', 'both', { transform: { minSize: size, maxSize: 2 * size } });
  const ds = openSegmentationDataset('/work/shared/data/medseg-ggo-c');
  const refs = ds.train.filter((r) => r.id === '0' || r.id === '1');
  const samples = await Promise.all(refs.map(readSegmentationSample));
  const model = new MaskRcnn(cfg, 1);
  const adam = new Adam({ lr, weightDecay: 0, weightDecayMode: 'decoupled' });
  const rng = createRng(2);
  const t0 = Date.now();
  for (let s = 0; s < steps; s++) {
    const l = segmenterStep(model, samples[s % 2], rng, adam, false);
    if ((s + 1) % 25 === 0) { const r = await evaluateSegmenter(model, samples); console.log('AP50', JSON.stringify(r.maskAP50), 'dice', JSON.stringify(r.dice)); }
    if (s % 10 === 0 || s === steps - 1) console.log(s, ((Date.now() - t0) / 1000).toFixed(1) + 's', Object.entries(l).map(([k, v]) => `${k.replace('loss_', '')}=${v.toFixed(3)}`).join(' '), tf.memory().numTensors);
  }
}
main();
