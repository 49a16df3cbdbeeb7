import * as tf from '@tensorflow/tfjs';
import { makeSegmenterConfig } from '@/lib/model/config';
import { openSegmentationDataset, readSegmentationSample } from '@/lib/model/data/datasets';
import { prepareInput } from '@/lib/model/data/prepare';
import { MaskRcnn } from '@/lib/model/maskRcnn';
import { useTestBackend } from '@/lib/model/train/testBackend';
async function main() {
  await useTestBackend();
  const smp = await readSegmentationSample(openSegmentationDataset('/work/shared/data/medseg-ggo-c').train[1]);
  const cfg = makeSegmenterConfig('light', 'both');
  const m = new MaskRcnn(cfg, 1);
  const inp = prepareInput(smp.image, cfg);
  m.detect(inp);
  const t0 = Date.now();
  const prof = await tf.profile(() => { m.detect(inp); });
  console.log('wall', Date.now() - t0);
  const agg: Record<string, [number, number]> = {};
  for (const k of prof.kernels) { const a = agg[k.name] ?? [0, 0]; a[0] += k.kernelTimeMs as number; a[1]++; agg[k.name] = a; }
  console.log(Object.entries(agg).sort((a, b) => b[1][0] - a[1][0]).slice(0, 10).map(([k, v]) => `${k} ${v[0].toFixed(0)}ms x${v[1]}`).join('\n'));
  for (const k of prof.kernels) if ((k.kernelTimeMs as number) > 150) console.log(k.name, (k.kernelTimeMs as number).toFixed(0), JSON.stringify(k.inputShapes));
}
main();
