import { makeSegmenterConfig } from '@/lib/model/config';
import { openSegmentationDataset, readSegmentationSample } from '@/lib/model/data/datasets';
import { prepareInput } from '@/lib/model/data/prepare';
import { MaskRcnn } from '@/lib/model/maskRcnn';
import { createRng } from '@/lib/model/random';
import { Adam } from '@/lib/model/train/adam';
import { segmenterStep } from '@/lib/model/train/trainSegmenter';
import { useTestBackend } from '@/lib/model/train/testBackend';
async function main() {
  await useTestBackend();
  const smp = await readSegmentationSample(openSegmentationDataset('/work/shared/data/medseg-ggo-c').train[1]);
  for (const [preset, size] of [['tiny', 256], ['light', 512]] as const) {
    const cfg = makeSegmenterConfig(preset, 'both', { transform: { minSize: size, maxSize: 2 * size } });
    const m = new MaskRcnn(cfg, 1); const adam = new Adam({ lr: 1e-4, weightDecay: 0, weightDecayMode: 'decoupled' }); const rng = createRng(1);
    const t: number[] = [];
    for (let i = 0; i < 3; i++) { const t0 = Date.now(); segmenterStep(m, smp, rng, adam, false); t.push(Date.now() - t0); }
    const inp = prepareInput(smp.image, cfg); const ti: number[] = [];
    for (let i = 0; i < 3; i++) { const t0 = Date.now(); m.detect(inp); ti.push(Date.now() - t0); }
    console.log(preset, size, 'train ms', t.join(','), 'infer ms', ti.join(','));
  }
}
main();
