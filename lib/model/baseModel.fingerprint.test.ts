/**
 * The shipped base model (models/base) gives the same predictions and training losses as when its weights were
 * written: a refactor of the model code that renames a weight, reorders a stage or changes a default shows up here.
 * The fingerprint (base-fingerprint.json) was computed with the code of main before the stages moved into
 * createRpn / createRoiHeads; FINGERPRINT_WRITE=1 writes it again (only on purpose: a new base model).
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@/lib/paths';
import { haveMedseg, medsegDir } from '@/lib/testing/medseg';
import { prepareInput, prepareTrainingSample } from './data/prepare';
import { readSegmentationSample } from './data/datasets';
import { loadSegmenter } from './io';
import { predict } from './predict';
import { createRng } from './random';
import { useTestBackend } from './train/testBackend';

const FINGERPRINT = path.join(__dirname, '__fixtures__', 'base-fingerprint.json');
/** A MedSeg validation slice with GGO and C (not one the base model trained on). */
const SAMPLE = '44';

interface Fingerprint {
  detections: { label: number; score: number; box: number[]; maskSum: number }[];
  classLogitsSum: number;
  instances: { class: string; score: number; area: number }[];
  losses: Record<string, number>;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

async function fingerprint(): Promise<Fingerprint> {
  const model = loadSegmenter(path.join(repoRoot(), 'models', 'base'));
  try {
    const sample = await readSegmentationSample({ id: SAMPLE, image: path.join(medsegDir, 'images', `${SAMPLE}.jpg`), mask: path.join(medsegDir, 'masks', `${SAMPLE}.png`) });
    const input = prepareInput(sample.image, model.config);
    const det = model.detect(input, { withMasks: true });
    input.image.dispose();
    const m = model.config.maskHead.resolution ** 2;
    const detections = [...det.scores].map((score, i) => ({
      label: det.labels[i],
      score: round(score, 4),
      box: [...det.boxes.subarray(4 * i, 4 * i + 4)].map((v) => round(v, 2)),
      maskSum: round(det.maskProbs!.subarray(i * m, (i + 1) * m).reduce((a, b) => a + b, 0), 2),
    }));
    const classLogitsSum = round(det.classLogits.reduce((a, b) => a + b, 0), 2);
    const instances = predict(model, sample.image).instances.map((p) => ({ class: p.class, score: round(p.score, 4), area: p.area }));
    const { input: trainInput, targets } = prepareTrainingSample(sample.image, sample.labels, sample.mode, model.config);
    const losses = tf.tidy(() => {
      const terms = model.lossTerms(trainInput, targets, createRng(7));
      return Object.fromEntries(Object.entries(terms).map(([k, v]) => [k, round(v.dataSync()[0], 4)]));
    });
    trainInput.image.dispose();
    return { detections, classLogitsSum, instances, losses };
  } finally {
    model.dispose();
  }
}

describe.skipIf(!haveMedseg)('models/base', () => {
  beforeAll(async () => {
    await useTestBackend();
  });

  it('predicts and scores its losses as it did when it was made', async () => {
    const got = await fingerprint();
    if (process.env.FINGERPRINT_WRITE === '1') {
      fs.mkdirSync(path.dirname(FINGERPRINT), { recursive: true });
      const rows = (xs: unknown[]) => xs.map((x) => `  ${JSON.stringify(x)}`).join(',\n');
      fs.writeFileSync(FINGERPRINT, `{\n "detections": [\n${rows(got.detections)}\n ],\n "instances": [\n${rows(got.instances)}\n ],\n "classLogitsSum": ${got.classLogitsSum},\n "losses": ${JSON.stringify(got.losses)}\n}\n`);
    }
    const want = JSON.parse(fs.readFileSync(FINGERPRINT, 'utf8')) as Fingerprint;
    expect(got.detections.length).toBe(want.detections.length);
    expect(want.detections.length).toBeGreaterThan(0);
    got.detections.forEach((d, i) => {
      const w = want.detections[i];
      expect(d.label).toBe(w.label);
      expect(d.score).toBeCloseTo(w.score, 3);
      d.box.forEach((v, k) => expect(v).toBeCloseTo(w.box[k], 1));
      expect(d.maskSum).toBeCloseTo(w.maskSum, 0);
    });
    expect(got.classLogitsSum).toBeCloseTo(want.classLogitsSum, 0);
    expect(got.instances.map((p) => [p.class, p.area])).toEqual(want.instances.map((p) => [p.class, p.area]));
    for (const [name, value] of Object.entries(want.losses)) expect(got.losses[name], name).toBeCloseTo(value, 3);
  });
});
