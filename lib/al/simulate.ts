/**
 * Active-learning simulation: replays labelling on a segmentation data folder with the ground-truth masks as the
 * oracle. Pool = the folder's train split, test = its val split (lib/model/data/datasets.ts). Per seed, every
 * strategy starts from the same `start` random slices; each round trains a segmenter from scratch on the labelled
 * slices (fixed step budget, same training seed, so two strategies differ only by the slices they chose), evaluates
 * it on the val split, scores the unlabelled pool with it and lets the strategy (rankCandidates, with the diversity
 * rule) pick the next `step` slices, until `budget` slices are labelled.
 */
import * as tf from '@/lib/model/tf';
import { makeSegmenterConfig, type MaskType, type PresetName } from '@/lib/model/config';
import { fileNumber, openSegmentationDataset, readSegmentationSample, type LabelledSlice, type SegmentationRef } from '@/lib/model/data/datasets';
import { evaluateSegmenter } from '@/lib/model/evaluate';
import { predict } from '@/lib/model/predict';
import { createRng, shuffled } from '@/lib/model/random';
import { trainSegmenter } from '@/lib/model/train/trainSegmenter';
import { SEGMENTER_RECIPES } from '@/lib/model/train/recipes';
import { rankCandidates } from './rank';
import type { StrategyName } from './strategies';
import type { SliceCandidate } from './types';
import { aggregateCurves, type Curves, type RoundResult } from './curves';

/** Strategies that rank by classifier S's slice-class probabilities, which a segmentation data folder does not have. */
export const NEEDS_SLICE_CLASSES: readonly StrategyName[] = ['least-confidence', 'margin', 'entropy'];
/** Strategies the segmentation simulation can replay (combined = segmentation when S is absent). */
export const SIMULATION_STRATEGIES: readonly StrategyName[] = ['random', 'segmentation', 'combined'];

/**
 * Zenodo-style folders (ct/ + lesion/) run volume by volume without saying where a volume ends: the simulation
 * takes fixed blocks of this many consecutive file numbers as one study (789 slices ≈ 10 volumes of ≈ 80), so the
 * diversity rule has studies to spread a batch over. MedSeg slices each count as their own study (no patient ids).
 */
export const ZENODO_STUDY_BLOCK = 80;

export interface SimulateOptions {
  data: string;
  strategies: StrategyName[];
  /** Random slices labelled before the first round. */
  start: number;
  /** Slices the strategy picks per round. */
  step: number;
  /** Stop once this many slices are labelled (capped at the pool size). */
  budget: number;
  /** One simulation per seed (initial set, training, random strategy and tie-breaking all follow it). */
  seeds: number[];
  preset?: PresetName;
  /** Default: `merge` for ct/ + lesion/ folders (merged lesion masks), `both` (GGO, C) otherwise. */
  maskType?: MaskType;
  /** Shorter image side for the model (default: the preset's). */
  minSize?: number;
  /** Training budget per round: optimisation steps (deterministic) and/or seconds, whichever ends first. */
  roundSteps?: number;
  roundSeconds?: number;
  /** Peak learning rate of each round; default: the from-scratch recipe's (lib/model/train/recipes.ts). */
  lr?: number;
  /** Keep at most this many pool / val slices, evenly spaced over the split (so every volume stays represented). */
  poolLimit?: number;
  valLimit?: number;
  studyBlock?: number;
  onRound?: (r: RoundResult & { seconds: number; picked: string[] }) => void;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface SimulationResult {
  dataset: { dir: string; format: string; pool: number; val: number; studies: number; maskType: MaskType };
  rows: RoundResult[];
  curves: Curves;
  /** Training runs actually made (rounds whose labelled set another strategy already trained on are reused). */
  trainings: number;
  seconds: number;
}

/** `limit` items evenly spaced over `items` (all of them when the limit is absent or not smaller). */
export function evenlySpaced<T>(items: readonly T[], limit?: number): T[] {
  if (!limit || limit >= items.length) return items.slice();
  return Array.from({ length: limit }, (_, k) => items[Math.floor((k * items.length) / limit)]);
}

/** Labelled-set sizes of the rounds: start, start + step, …, ending exactly at the budget. */
export function roundSizes(start: number, step: number, budget: number): number[] {
  if (!(start >= 1 && step >= 1 && budget >= start)) throw new Error(`Need start ≥ 1, step ≥ 1 and budget ≥ start (got start ${start}, step ${step}, budget ${budget})`);
  const sizes: number[] = [];
  for (let n = start; n < budget; n += step) sizes.push(n);
  sizes.push(budget);
  return sizes;
}

export function checkStrategies(strategies: readonly string[]): StrategyName[] {
  if (!strategies.length) throw new Error('No strategies given: choose from ' + SIMULATION_STRATEGIES.join(', '));
  for (const s of strategies) {
    if ((NEEDS_SLICE_CLASSES as readonly string[]).includes(s)) {
      throw new Error(`Strategy "${s}" ranks by classifier S's slice-class probabilities, but the segmentation simulation has no slice classes (its data folders hold masks only); use ${SIMULATION_STRATEGIES.join(', ')}`);
    }
    if (!(SIMULATION_STRATEGIES as readonly string[]).includes(s)) throw new Error(`Unknown strategy "${s}": choose from ${SIMULATION_STRATEGIES.join(', ')}`);
  }
  return [...new Set(strategies)] as StrategyName[];
}

interface PoolSlice {
  ref: SegmentationRef;
  sample: LabelledSlice;
  studyId: string;
  index: number;
}

function studyOf(ref: SegmentationRef, format: string, block: number): { studyId: string; index: number } {
  const n = fileNumber(ref.id);
  return format === 'ct-lesion' ? { studyId: `volume-${Math.floor(n / block)}`, index: n } : { studyId: ref.id, index: 0 };
}

export async function simulateActiveLearning(o: SimulateOptions): Promise<SimulationResult> {
  const t0 = Date.now();
  const strategies = checkStrategies(o.strategies);
  const log = o.log ?? (() => {});
  const ds = openSegmentationDataset(o.data);
  const poolRefs = evenlySpaced(ds.train, o.poolLimit);
  const valRefs = evenlySpaced(ds.val, o.valLimit);
  const budget = Math.min(o.budget, poolRefs.length);
  if (o.start > poolRefs.length) throw new Error(`--start ${o.start} is more than the ${poolRefs.length} slices in the pool`);
  const sizes = roundSizes(o.start, o.step, budget);
  const maskType = o.maskType ?? (ds.format === 'ct-lesion' ? 'merge' : 'both');
  const config = makeSegmenterConfig(o.preset ?? 'tiny', maskType, o.minSize ? { transform: { minSize: o.minSize, maxSize: 2 * o.minSize } } : {});
  const block = o.studyBlock ?? ZENODO_STUDY_BLOCK;
  // The pool's spacing in file numbers: slices closer than 3 original slices are "neighbours" for the diversity rule.
  const spacing = Math.max(1, Math.round(ds.train.length / poolRefs.length));
  const minIndexGap = ds.format === 'ct-lesion' ? 3 * spacing : 1;

  const pool: PoolSlice[] = [];
  for (const ref of poolRefs) pool.push({ ref, sample: await readSegmentationSample(ref), ...studyOf(ref, ds.format, block) });
  const val: LabelledSlice[] = [];
  for (const ref of valRefs) val.push(await readSegmentationSample(ref));
  const studies = new Set(pool.map((p) => p.studyId)).size;
  log(`pool ${pool.length} slices (${studies} studies), val ${val.length}, rounds ${sizes.join(' → ')}, ${config.preset}/${maskType} at ${config.transform.minSize}px, ${o.roundSteps ?? '∞'} steps${o.roundSeconds ? ` / ${o.roundSeconds}s` : ''} per round`);

  const rows: RoundResult[] = [];
  let trainings = 0;
  for (const seed of o.seeds) {
    const initial = shuffled(pool.map((_, i) => i), createRng(seed * 7919 + 17)).slice(0, o.start);
    const labelled = new Map<StrategyName, Set<number>>(strategies.map((s) => [s, new Set(initial)]));
    for (const [round, size] of sizes.entries()) {
      const last = round === sizes.length - 1;
      // Strategies holding the same labelled set share one training run (always true in round 0).
      const groups = new Map<string, StrategyName[]>();
      for (const s of strategies) {
        const key = [...labelled.get(s)!].sort((a, b) => a - b).join(',');
        groups.set(key, [...(groups.get(key) ?? []), s]);
      }
      for (const [key, members] of groups) {
        if (o.signal?.aborted) throw new Error('Simulation cancelled');
        const tr = Date.now();
        const indices = key.split(',').map(Number);
        const { model } = await trainSegmenter({
          config,
          train: indices.map((i) => pool[i].sample),
          options: { seed, lr: o.lr ?? SEGMENTER_RECIPES.fromScratch.lr, maxSteps: o.roundSteps, timeBudgetS: o.roundSeconds, ...(!o.roundSteps && !o.roundSeconds ? { epochs: 1 } : {}) },
          signal: o.signal,
        });
        trainings++;
        try {
          const report = await evaluateSegmenter(model, val);
          const unlabelled = pool.map((_, i) => i).filter((i) => !labelled.get(members[0])!.has(i));
          // Score the pool only when a member ranks by the model and another round follows.
          const needScores = !last && members.some((s) => s !== 'random');
          const scores = new Map<number, number>();
          if (needScores) for (const i of unlabelled) scores.set(i, tf.tidy(() => predict(model, pool[i].sample.image, undefined, { polygons: false }).uncertainty.detection));
          const seconds = (Date.now() - tr) / 1000;
          for (const s of members) {
            const result: RoundResult = { strategy: s, seed, labelled: size, maskAP50: report.maskAP50.mean, dice: report.dice.mean };
            rows.push(result);
            let picked: string[] = [];
            if (!last) {
              const take = sizes[round + 1] - size;
              // Shuffled with the seed so ties (e.g. every slice scored 0 by a model that detects nothing) break at random, not by file order.
              const candidates: SliceCandidate[] = shuffled(unlabelled, createRng(seed * 104729 + round)).map((i) => ({
                sliceId: String(i), studyId: pool[i].studyId, index: pool[i].index,
                ...(scores.has(i) ? { signals: { segmentation: scores.get(i)! } } : {}),
              }));
              const chosen = rankCandidates(candidates, s, { seed: seed * 31 + round, batchSize: take, minIndexGap }).slice(0, take).map((c) => Number(c.sliceId));
              for (const i of chosen) labelled.get(s)!.add(i);
              picked = chosen.map((i) => pool[i].ref.id);
            }
            o.onRound?.({ ...result, seconds, picked });
          }
        } finally {
          model.dispose();
        }
      }
    }
  }
  return {
    dataset: { dir: ds.dir, format: ds.format, pool: pool.length, val: val.length, studies, maskType },
    rows, curves: aggregateCurves(rows), trainings, seconds: (Date.now() - t0) / 1000,
  };
}
