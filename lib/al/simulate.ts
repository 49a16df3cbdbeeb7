/**
 * Active-learning simulation that replays the product: labelling a segmentation data folder with its ground-truth
 * masks as the oracle. Pool = the folder's train split, test = its val split (lib/model/data/datasets.ts), never
 * trained or tuned on.
 *
 * Per seed, every strategy starts from the same `start` random slices. Each round is what the worker does:
 *   - retrain: the product's train task (lib/model/train/retrain.ts) fine-tunes the previous round's model (the
 *     base model at round 0) on the labelled slices, split by study into train and validation as the job splits
 *     them, with the product's budget, keep-best and threshold calibration;
 *   - test: the model is measured on the held-out val split, at its calibrated thresholds;
 *   - score: the product's score task (lib/al/scoreSlice.ts, on the product's inference backend) scores the
 *     unlabelled pool with the signals the strategy reads, and the strategy (rankCandidates, the queue's ranking) picks the next `step` slices.
 * Each round's model and record are kept under `stateDir`, so an interrupted simulation resumes where it stopped,
 * and every round records the checksum of the weights it started from (the previous round's) and of its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { makeSegmenterConfig, parseSegmenterConfig, type MaskType, type PresetName, type SegmenterConfig } from '@/lib/model/config';
import { fileNumber, openSegmentationDataset, readSegmentationSample, type LabelledSlice, type SegmentationRef } from '@/lib/model/data/datasets';
import { evaluateSegmenter } from '@/lib/model/evaluate';
import { openSegmenter } from '@/lib/model/inferenceBackend';
import { readModelDir, saveSegmenter, type ModelDir } from '@/lib/model/io';
import { createRng, shuffled } from '@/lib/model/random';
import { DEFAULT_BUDGET_MIN } from '@/lib/model/train/recipes';
import { retrainSegmenter } from '@/lib/model/train/retrain';
import { splitByStudy } from '@/lib/jobs/trainingData';
import { rankCandidates } from './rank';
import { scoreSlice, type ScoredSlice } from './scoreSlice';
import { STRATEGIES, type StrategyName } from './strategies';
import type { SliceCandidate } from './types';
import { aggregateCurves, type Curves, type RoundResult } from './curves';

/** Strategies that rank by classifier S's slice-class probabilities, which a segmentation data folder does not have. */
export const NEEDS_SLICE_CLASSES: readonly StrategyName[] = ['least-confidence', 'margin', 'entropy'];
/** Strategies the segmentation simulation can replay (combined = segmentation when S is absent). */
export const SIMULATION_STRATEGIES: readonly StrategyName[] = ['random', 'segmentation', 'epistemic', 'class-balanced', 'coreset', 'combined'];

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
  /** The model round 0 fine-tunes (a model folder; it must not have been trained on this pool). Null: from scratch. */
  base: string | null;
  /** Architecture when there is no base. */
  preset?: PresetName;
  /** Default: `merge` for ct/ + lesion/ folders (merged lesion masks), `both` (GGO, C) otherwise (no base only). */
  maskType?: MaskType;
  /** Shorter image side for the model (no base only; default: the preset's). */
  minSize?: number;
  /** Training budget per round: CPU seconds (default: the product's), or a step count for runs that must repeat exactly. */
  roundSeconds?: number;
  roundSteps?: number;
  /** Peak learning rate of each round; default: the recipe's (fine-tune from a base, else from scratch; lib/model/train/recipes.ts). */
  lr?: number;
  /** Keep at most this many pool / val slices, evenly spaced over the split (so every volume stays represented). */
  poolLimit?: number;
  valLimit?: number;
  studyBlock?: number;
  /** Where each round's model and record are kept (resume). */
  stateDir: string;
  onRound?: (r: RoundRecord) => void;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/** What a finished round leaves in its folder (round.json), beside its model. */
export interface RoundRecord extends RoundResult {
  round: number;
  /** Pool indices labelled when the round trained. */
  labelledSet: number[];
  /** File ids the strategy picked after the round (empty after the last). */
  picked: string[];
  pickedSet: number[];
  /** SHA-256 of the weights the round started from, and of the weights it kept. */
  startChecksum: string | null;
  checksum: string;
  steps: number;
  seconds: number;
}

export interface SimulationResult {
  dataset: { dir: string; format: string; pool: number; val: number; studies: number; maskType: MaskType };
  rows: RoundResult[];
  curves: Curves;
  /** Training runs made by this call (resumed rounds are not counted). */
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

/**
 * A base trained on the pool would make every strategy look alike (it has seen every label already): refuse one
 * whose training summary names this data folder, unless it says it was trained without it.
 */
export function checkBaseUnseen(base: ModelDir, datasetName: string): void {
  const data = (base.manifest.training as { data?: Record<string, { dir?: string; count?: number }> }).data ?? {};
  const seen = Object.entries(data).filter(([role, d]) => role !== 'heldOut' && d && typeof d === 'object' && d.dir === datasetName && (d.count ?? 1) > 0);
  if (seen.length) {
    throw new Error(`The base model ${base.dir} was trained on ${datasetName} (${seen.map(([role]) => role).join(', ')}): the simulation needs a base that never saw its pool — make one with npm run pretrain -- --without ${datasetName.startsWith('zenodo') ? 'zenodo' : 'medseg'} --out <dir>`);
  }
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

const roundDir = (o: SimulateOptions, seed: number, strategy: string, round: number) => path.join(o.stateDir, `seed-${seed}`, strategy, `round-${round}`);

function readRecord(dir: string): RoundRecord | null {
  const file = path.join(dir, 'round.json');
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as RoundRecord;
}

/** round.json is written last and atomically: a round without it did not finish and is run again. */
function writeRecord(dir: string, record: RoundRecord): void {
  const tmp = path.join(dir, `round.json.tmp-${process.pid}`);
  fs.writeFileSync(tmp, JSON.stringify(record));
  fs.renameSync(tmp, path.join(dir, 'round.json'));
}

/** Every finished round under a state folder (all seeds and strategies), e.g. written by parallel processes. */
export function collectRounds(stateDir: string): RoundRecord[] {
  const out: RoundRecord[] = [];
  if (!fs.existsSync(stateDir)) return out;
  for (const seedDir of fs.readdirSync(stateDir).filter((d) => d.startsWith('seed-'))) {
    for (const strategy of fs.readdirSync(path.join(stateDir, seedDir))) {
      const sdir = path.join(stateDir, seedDir, strategy);
      if (!fs.statSync(sdir).isDirectory()) continue;
      for (const r of fs.readdirSync(sdir)) {
        const rec = readRecord(path.join(sdir, r));
        if (rec) out.push(rec);
      }
    }
  }
  return out.sort((a, b) => a.seed - b.seed || a.strategy.localeCompare(b.strategy) || a.labelled - b.labelled);
}

export async function simulateActiveLearning(o: SimulateOptions): Promise<SimulationResult> {
  const t0 = Date.now();
  const strategies = checkStrategies(o.strategies);
  const log = o.log ?? (() => {});
  const ds = openSegmentationDataset(o.data);
  const base = o.base ? readModelDir(o.base) : null;
  if (base) checkBaseUnseen(base, path.basename(ds.dir));
  const poolRefs = evenlySpaced(ds.train, o.poolLimit);
  const valRefs = evenlySpaced(ds.val, o.valLimit);
  const budget = Math.min(o.budget, poolRefs.length);
  if (o.start > poolRefs.length) throw new Error(`--start ${o.start} is more than the ${poolRefs.length} slices in the pool`);
  const sizes = roundSizes(o.start, o.step, budget);
  const config: SegmenterConfig = base
    ? parseSegmenterConfig(base.config)
    : makeSegmenterConfig(o.preset ?? 'tiny', o.maskType ?? (ds.format === 'ct-lesion' ? 'merge' : 'both'), o.minSize ? { transform: { minSize: o.minSize, maxSize: 2 * o.minSize } } : {});
  const block = o.studyBlock ?? ZENODO_STUDY_BLOCK;
  // The pool's spacing in file numbers: slices closer than 3 original slices are "neighbours" for the diversity rule.
  const spacing = Math.max(1, Math.round(ds.train.length / poolRefs.length));
  const minIndexGap = ds.format === 'ct-lesion' ? 3 * spacing : 1;
  const budgetS = o.roundSteps ? undefined : (o.roundSeconds ?? DEFAULT_BUDGET_MIN.segmenter * 60);

  const pool: PoolSlice[] = [];
  for (const ref of poolRefs) pool.push({ ref, sample: await readSegmentationSample(ref), ...studyOf(ref, ds.format, block) });
  const val: LabelledSlice[] = [];
  for (const ref of valRefs) val.push(await readSegmentationSample(ref));
  const studies = new Set(pool.map((p) => p.studyId)).size;
  log(`pool ${pool.length} slices (${studies} studies), val ${val.length}, rounds ${sizes.join(' → ')}, ${config.preset}/${config.maskType} at ${config.transform.minSize}px, ${base ? `fine-tuning from ${o.base}` : 'round 0 from scratch'}, ${o.roundSteps ? `${o.roundSteps} steps` : `${budgetS} CPU-s`} per round`);

  let trainings = 0;
  /** One round: retrain from `start` on the labelled set, test, score the pool and pick (unless last). */
  const runRound = async (seed: number, members: StrategyName[], round: number, labelled: number[], start: ModelDir | null): Promise<Map<StrategyName, RoundRecord>> => {
    const tr = Date.now();
    const dirs = members.map((s) => roundDir(o, seed, s, round));
    const labelledSlices = labelled.map((i) => ({ ...pool[i], id: pool[i].ref.id }));
    const split = splitByStudy(labelledSlices);
    const result = await retrainSegmenter({
      start, config, train: split.train.map((p) => p.sample), val: split.val.map((p) => p.sample),
      seed: seed * 1000 + round, lr: o.lr, maxSteps: o.roundSteps, timeBudgetS: budgetS, epochs: budgetS ? 1000 : undefined, signal: o.signal,
    });
    if (result.reason === 'cancelled') throw new Error('Simulation cancelled');
    trainings++;
    const model = result.model;
    try {
      fs.mkdirSync(dirs[0], { recursive: true });
      const checksum = saveSegmenter(dirs[0], model, { seed, round, labelled: labelled.length }, { proposalThresholds: result.thresholds });
      const report = await evaluateSegmenter(model, val, { thresholds: result.thresholds });
      const last = round === sizes.length - 1;
      const inSet = new Set(labelled);
      const unlabelled = pool.map((_, i) => i).filter((i) => !inSet.has(i));
      const needs = [...new Set(members.flatMap((s) => STRATEGIES[s].needs))];
      const scored = new Map<number, ScoredSlice>();
      if (!last && members.some((s) => s !== 'random')) {
        // the product's inference path: onnxruntime when it loads (one thread: seeds run in parallel processes), else wasm
        const { segmenter } = await openSegmenter(dirs[0], { threads: 1, log: (line) => (round === 0 ? log(line) : undefined) });
        try {
          for (const i of [...unlabelled, ...(needs.includes('embedding') ? labelled : [])]) {
            scored.set(i, await scoreSlice(segmenter, pool[i].sample.image, undefined, { thresholds: result.thresholds, needs, polygons: false }));
          }
        } finally {
          segmenter.dispose();
        }
      }
      const records = new Map<StrategyName, RoundRecord>();
      for (const [k, s] of members.entries()) {
        let pickedSet: number[] = [];
        if (!last) {
          const take = sizes[round + 1] - labelled.length;
          // Shuffled with the seed so ties (e.g. every slice scored 0 by a model that detects nothing) break at random, not by file order.
          const candidates: SliceCandidate[] = shuffled(unlabelled, createRng(seed * 104729 + round)).map((i) => ({
            sliceId: String(i), studyId: pool[i].studyId, index: pool[i].index,
            ...(scored.has(i) ? { signals: scored.get(i)!.signals, ...(scored.get(i)!.embedding ? { embedding: scored.get(i)!.embedding } : {}) } : {}),
          }));
          const labelledContext = {
            labelledEmbeddings: labelled.flatMap((i) => (scored.get(i)?.embedding ? [scored.get(i)!.embedding!] : [])),
            labelledClassPixels: classPixels(labelled.map((i) => pool[i].sample), config.classNames),
          };
          pickedSet = rankCandidates(candidates, s, { seed: seed * 31 + round, batchSize: take, minIndexGap, labelled: labelledContext }).slice(0, take).map((c) => Number(c.sliceId));
        }
        const record: RoundRecord = {
          strategy: s, seed, round, labelled: labelled.length, maskAP50: report.maskAP50.mean, dice: report.dice.mean,
          perClass: Object.fromEntries(Object.keys(report.dice).filter((c) => c !== 'mean').map((c) => [c, { maskAP50: report.maskAP50[c] ?? null, dice: report.dice[c] ?? null }])),
          labelledSet: labelled, picked: pickedSet.map((i) => pool[i].ref.id), pickedSet,
          startChecksum: start?.manifest.sha256 ?? null, checksum, steps: result.steps, seconds: (Date.now() - tr) / 1000,
        };
        // Strategies sharing the round (round 0) share its model: each keeps a copy beside its own record.
        if (k > 0) fs.cpSync(dirs[0], dirs[k], { recursive: true });
        writeRecord(dirs[k], record);
        records.set(s, record);
        o.onRound?.(record);
      }
      return records;
    } finally {
      model.dispose();
    }
  };

  for (const seed of o.seeds) {
    const initial = shuffled(pool.map((_, i) => i), createRng(seed * 7919 + 17)).slice(0, o.start);
    // Round 0: every strategy has the same slices and the same starting model — one shared run.
    const done0 = strategies.map((s) => readRecord(roundDir(o, seed, s, 0)));
    let previous = new Map<StrategyName, RoundRecord>();
    if (done0.every(Boolean)) strategies.forEach((s, k) => previous.set(s, done0[k]!));
    else previous = await runRound(seed, strategies, 0, initial, base);
    for (let round = 1; round < sizes.length; round++) {
      for (const s of strategies) {
        const before = previous.get(s)!;
        const done = readRecord(roundDir(o, seed, s, round));
        if (done) {
          previous.set(s, done);
          continue;
        }
        const start = readModelDir(roundDir(o, seed, s, round - 1));
        const records = await runRound(seed, [s], round, [...before.labelledSet, ...before.pickedSet], start);
        previous.set(s, records.get(s)!);
      }
    }
  }
  const rows: RoundResult[] = collectRounds(o.stateDir)
    .filter((r) => o.seeds.includes(r.seed) && strategies.includes(r.strategy as StrategyName))
    .map(({ strategy, seed, labelled, maskAP50, dice, perClass }) => ({ strategy, seed, labelled, maskAP50, dice, perClass }));
  return {
    dataset: { dir: ds.dir, format: ds.format, pool: pool.length, val: val.length, studies, maskType: config.maskType },
    rows, curves: aggregateCurves(rows), trainings, seconds: (Date.now() - t0) / 1000,
  };
}

/** Lesion pixels per class name in labelled slices (merged-lesion data count as the first class). */
export function classPixels(slices: readonly Pick<LabelledSlice, 'labels' | 'mode'>[], classNames: readonly string[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(classNames.map((c) => [c, 0]));
  for (const s of slices) {
    for (const v of s.labels) {
      if (v === 0) continue;
      const name = s.mode === 'merged' ? classNames[0] : classNames[v - 1];
      if (name) out[name]++;
    }
  }
  return out;
}
