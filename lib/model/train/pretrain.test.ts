import { beforeAll, describe, expect, it } from 'vitest';
import { makeSegmenterConfig } from '../config';
import type { LabelledSlice } from '../data/datasets';
import { createRng } from '../random';
import { classRepeats, pretrainingSet, pretrainSegmenter } from './pretrain';
import { SEGMENTER_RECIPES } from './recipes';
import { useTestBackend } from './testBackend';
import { trainSegmenter } from './trainSegmenter';

const SIZE = 64;

/**
 * A generated slice: a dim body on a dark background with one or two lesions, a faint blob (GGO, label 1) and a
 * bright one (C, label 2); merged slices label both 1 ("lesion", class unknown), as the Zenodo masks do.
 */
function slice(seed: number, mode: 'classes' | 'merged'): LabelledSlice {
  const rng = createRng(seed);
  const pixels = new Float32Array(SIZE * SIZE);
  const labels = new Uint8Array(SIZE * SIZE);
  const lesions = [
    { cx: 14 + rng.next() * 12, cy: 14 + rng.next() * 36, r: 6 + rng.next() * 4, value: 0.45, label: 1 },
    { cx: 40 + rng.next() * 10, cy: 14 + rng.next() * 36, r: 5 + rng.next() * 4, value: 0.9, label: 2 },
  ];
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const i = y * SIZE + x;
      pixels[i] = 0.2 + 0.03 * rng.normal();
      for (const l of lesions) {
        if ((x - l.cx) ** 2 + (y - l.cy) ** 2 <= l.r ** 2) {
          pixels[i] = l.value + 0.03 * rng.normal();
          labels[i] = mode === 'merged' ? 1 : l.label;
        }
      }
    }
  }
  return { id: `${mode}-${seed}`, image: { height: SIZE, width: SIZE, pixels }, labels, mode };
}

const config = makeSegmenterConfig('tiny', 'both', { transform: { minSize: SIZE, maxSize: SIZE } });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('pretraining set', () => {
  it('repeats the class-labelled slices to about a fifth of an epoch', () => {
    expect(classRepeats(600, 32)).toBe(5); // 160 of 760 steps
    expect(classRepeats(600, 0)).toBe(0);
    const set = pretrainingSet({ merged: ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'], classes: ['c1'] });
    expect(set.filter((s) => s === 'c1')).toHaveLength(2);
  });
});

describe('pretraining, then fine-tuning, on generated slices', () => {
  beforeAll(async () => { await useTestBackend(); });

  it('pretraining on merged and class-labelled slices lowers the loss; fine-tuning from it starts lower than from scratch and lowers it further', async () => {
    const merged = Array.from({ length: 6 }, (_, k) => slice(100 + k, 'merged'));
    const classes = Array.from({ length: 3 }, (_, k) => slice(200 + k, 'classes'));
    const tune = [slice(300, 'classes')];
    const losses: number[] = [];
    const pre = await pretrainSegmenter(config, { merged, classes, tune }, { seed: 1, maxSteps: 60, onProgress: (e) => losses.push(e.losses.loss) });
    expect(pre.steps).toBe(60);
    expect(mean(losses.slice(-10))).toBeLessThan(0.8 * mean(losses.slice(0, 10)));

    const target = Array.from({ length: 3 }, (_, k) => slice(400 + k, 'classes'));
    const run = async (init: boolean) => {
      const l: number[] = [];
      const r = await trainSegmenter({
        config, train: target,
        options: { ...SEGMENTER_RECIPES.fineTune, seed: 5, maxSteps: 24 },
        initialise: init ? (m) => { for (const n of m.ps.names()) m.ps.get(n).assign(pre.model.ps.get(n)); } : undefined,
        onProgress: (e) => l.push(e.losses.loss),
      });
      r.model.dispose();
      return l;
    };
    const tuned = await run(true);
    const scratch = await run(false);
    expect(mean(tuned.slice(0, 6))).toBeLessThan(mean(scratch.slice(0, 6)));
    expect(mean(tuned.slice(-6))).toBeLessThan(mean(tuned.slice(0, 6)));
    pre.model.dispose();
  }, 300_000);
});
