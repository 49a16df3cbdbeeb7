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
    if ((s + 1) % 40 === 0) { const r = await evaluateSegmenter(model, samples); console.log('AP50', JSON.stringify(r.maskAP50), 'dice', JSON.stringify(r.dice)); }
    if (s % 10 === 0 || s === steps - 1) console.log(s, ((Date.now() - t0) / 1000).toFixed(1) + 's', Object.entries(l).map(([k, v]) => `${k.replace('loss_', '')}=${v.toFixed(3)}`).join(' '), tf.memory().numTensors);
  }
  const { prepareTrainingSample } = await import('@/lib/model/data/prepare');
  const { multiScaleRoiAlign } = await import('@/lib/model/roiAlign');
  for (const smp of samples) {
    const p = prepareTrainingSample(smp.image, smp.labels, smp.mode, cfg);
    const m: any = model;
    const feats = m.backbone.forward(p.input.image);
    const bf = multiScaleRoiAlign(feats, p.targets.boxes, [p.input.imageHW], { outputSize: 7, samplingRatio: 2 });
    const out = m.boxHead(bf);
    const pr = tf.softmax(out.classLogits).arraySync() as number[][];
    console.log('train-space GT labels', Array.from(p.targets.labels).join(','));
    console.log('probs', pr.map((r) => r.map((v) => v.toFixed(2)).join('/')).join(' '));
  }
  const { predict } = await import('@/lib/model/predict');
  const { instancesFromLabelMap } = await import('@/lib/model/data/instances');
  for (const smp of samples) {
    const p = predict(model, smp.image, undefined, { keepMasks: true, polygons: false });
    const g = instancesFromLabelMap(smp.labels, smp.image.height, smp.image.width, 2, 4);
    console.log('GT', smp.image.height, smp.image.width, Array.from(g.labels).join(','), Array.from(g.boxes).join(','));
    const { boxIou } = await import('@/lib/model/boxOps');
    const det = Float32Array.from(p.instances.flatMap((d) => d.box));
    const iou = boxIou(g.boxes, det);
    const nd = p.instances.length;
    for (let i = 0; i < g.labels.length; i++) {
      let best = -1, bi = -1;
      for (let j = 0; j < nd; j++) if (iou[i * nd + j] > best) { best = iou[i * nd + j]; bi = j; }
      const d = p.instances[bi];
      console.log('gt', i, g.labels[i], Array.from(g.boxes.subarray(4*i,4*i+4)).join(','), 'best det iou', best.toFixed(2), d?.className, d?.score.toFixed(2), d?.box.map((v) => v.toFixed(0)).join(','));
    }
    console.log('n det', nd, 'scores', p.instances.map((d) => d.score.toFixed(2)).join(' '));
  }
}
main();
