/**
 * npm run predict -- --model <dir> [--classifier <dir>] [--out <png>] <image>
 * Segments one slice with a trained model and writes an overlay PNG (GGO yellow, C red, merged lesion
 * orange); prints the instances, slice class probabilities (classifier) and uncertainty as JSON.
 * A classifier directory also works as --model: its trunk is a full segmenter.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { CovidCtMaskNet } from '@/lib/model/classifierS';
import { readGreySlice } from '@/lib/model/data/datasets';
import { loadModel } from '@/lib/model/io';
import { predict } from '@/lib/model/predict';
import { initModelBackend } from '@/lib/model/runtime';
import { parseCli, usageExit } from './cliArgs';

const USAGE = 'Usage: npm run predict -- --model <dir> [--classifier <dir>] [--out <overlay.png>] <image>';
const { values: a, positionals } = parseCli(USAGE, { model: { type: 'string' }, classifier: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } });
if (a.help) { console.log(USAGE); process.exit(0); }
if (!a.model) usageExit(USAGE, '--model is required');
if (positionals.length !== 1) usageExit(USAGE, `expected exactly one image, got ${positionals.length}`);
const image = positionals[0];
for (const [name, p] of [['--model', a.model], ['image', image], ['--classifier', a.classifier]] as const) {
  if (p !== undefined && !fs.existsSync(p)) usageExit(USAGE, `${name} ${p}: not found`);
}

const COLOURS: Record<string, [number, number, number]> = { GGO: [255, 215, 0], C: [230, 30, 30], lesion: [255, 140, 0] };

async function main() {
  await initModelBackend();
  const loaded = loadModel(a.model!);
  const segmenter = loaded.kind === 'segmenter' ? loaded.model : loaded.model.segmenter;
  let classifier: CovidCtMaskNet | undefined = loaded.kind === 'classifier' ? loaded.model : undefined;
  if (a.classifier) {
    const c = loadModel(a.classifier);
    if (c.kind !== 'classifier') usageExit(USAGE, `--classifier ${a.classifier} holds a segmenter`);
    classifier = c.model;
  }
  const slice = await readGreySlice(image);
  const t0 = Date.now();
  const p = predict(segmenter, slice, classifier);
  const ms = Date.now() - t0;
  const { width, height } = slice;
  const rgb = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const g = Math.round(slice.pixels[i] * 255);
    const label = p.labelMap[i];
    const c = label ? COLOURS[segmenter.config.classNames[label - 1]] ?? [0, 200, 255] : null;
    for (let k = 0; k < 3; k++) rgb[3 * i + k] = c ? Math.round(0.55 * g + 0.45 * c[k]) : g;
  }
  const out = a.out ?? path.join(path.dirname(image), `${path.parse(image).name}.overlay.png`);
  await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toFile(out);
  console.log(`wrote ${out} (${p.instances.length} instances, ${ms} ms)`);
  console.log(JSON.stringify({
    overlay: out,
    instances: p.instances.map((d) => ({ class: d.class, score: +d.score.toFixed(4), box: d.box.map((v) => +v.toFixed(1)), area: d.area, polygons: d.polygon.length })),
    sliceProbabilities: p.sliceProbabilities, uncertainty: p.uncertainty, ms,
  }));
}

main().catch((err) => { console.error(`Error: ${(err as Error).message}`); process.exit(1); });
