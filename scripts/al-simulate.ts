/**
 * npm run al:simulate -- --data <dir> --base <model dir>|none --strategies random,epistemic --start 10 --step 10 --budget 100 --seeds 3
 * Replays active learning on a segmentation data folder with its ground-truth masks as the oracle (lib/al/simulate.ts),
 * writes the learning curves as CSV and PNG, prints a table and ends with one JSON line:
 * {"labelsToReachRandomFinal":{"<strategy>":<fraction of random's labels or null>,…}, …}.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseCli, runCli, UsageError } from '../lib/cli/args';
import { labelsToReachBaselineFinal } from '../lib/al/curves';
import { SIMULATION_STRATEGIES, checkStrategies, collectRounds, simulateActiveLearning } from '../lib/al/simulate';
import { curvesTable, simulationFiles, writePartialCsv, writeSimulationOutputs } from '../lib/al/simulationReport';
import { MASK_TYPES, PRESETS } from '../lib/model/config';
import { DEFAULT_BUDGET_MIN } from '../lib/model/train/recipes';
import { initModelBackend } from '../lib/model/runtime';
import { dataDir } from '../lib/paths';

const USAGE = `usage: npm run al:simulate -- --data <dir> --base <model dir>|none [--strategies random,${SIMULATION_STRATEGIES.filter((x) => x !== 'random').join(',')}]
  [--start 10] [--step 10] [--budget 100] [--seeds 3] [--out <dir>] [--state <dir>] [--round-minutes M | --round-steps N]
  [--pool-limit N] [--val-limit N] [--processes N] [--preset tiny|light|full] [--mask-type both|merge|ggo] [--min-size PX] [--lr X]
  --data           a segmentation folder (images/ + masks/ or ct/ + lesion/): pool = its train split, test = its val split
  --base           the model round 0 fine-tunes, as the product fine-tunes its base model; it must never have seen
                   this pool (npm run pretrain -- --without zenodo|medseg --out <dir> makes one); none: from scratch
  --strategies     comma-separated; least-confidence, margin and entropy need slice classes, which these folders lack
  --seeds N        runs with seeds 1..N (mean and spread over them), spread over --processes (default: one per core)
  --round-minutes  CPU minutes of training per round (default: the product's ${DEFAULT_BUDGET_MIN.segmenter}); --round-steps N instead
                   gives runs that repeat exactly
  --state          where each round's model and record are kept (default <out>/<dataset>.state): run the same
                   command again to resume an interrupted simulation
  --pool-limit     keep N pool slices, evenly spaced over the train split (speed); --val-limit likewise for val
  --lr             peak learning rate of each round (default: the retrain recipe's, lib/model/train/recipes.ts)
  --out            default: DATA_DIR/al-simulation; writes <dataset>-<timestamp>.csv/.png and latest.csv/.png`;

const options = {
  data: { type: 'string' }, base: { type: 'string' }, strategies: { type: 'string' }, start: { type: 'string' }, step: { type: 'string' },
  budget: { type: 'string' }, seeds: { type: 'string' }, out: { type: 'string' }, state: { type: 'string' }, 'round-steps': { type: 'string' },
  'round-minutes': { type: 'string' }, 'pool-limit': { type: 'string' }, 'val-limit': { type: 'string' }, processes: { type: 'string' },
  preset: { type: 'string' }, 'mask-type': { type: 'string' }, 'min-size': { type: 'string' }, lr: { type: 'string' },
  'only-seed': { type: 'string' },
} as const;

const count = (name: string) => z.coerce.number({ message: `--${name} must be a number` }).int(`--${name} must be a whole number`).positive(`--${name} must be at least 1`);
const argsSchema = z.object({
  data: z.string({ message: '--data <dir> is required' }).min(1),
  base: z.string({ message: '--base <model dir> is required (or --base none to start from scratch)' }).min(1),
  strategies: z.string().default('random,epistemic'),
  start: count('start').default(10),
  step: count('step').default(10),
  budget: count('budget').default(100),
  seeds: count('seeds').default(3),
  out: z.string().min(1).optional(),
  state: z.string().min(1).optional(),
  'round-steps': count('round-steps').optional(),
  'round-minutes': z.coerce.number().positive('--round-minutes must be positive').optional(),
  'pool-limit': count('pool-limit').optional(),
  'val-limit': count('val-limit').optional(),
  processes: count('processes').optional(),
  preset: z.enum(PRESETS, { message: `--preset must be one of ${PRESETS.join(', ')}` }).default('tiny'),
  'mask-type': z.enum(MASK_TYPES, { message: `--mask-type must be one of ${MASK_TYPES.join(', ')}` }).optional(),
  'min-size': z.coerce.number().int().min(32, '--min-size must be at least 32').optional(),
  lr: z.coerce.number().positive('--lr must be positive').optional(),
  /** Internal: a child process runs this one seed of its parent's simulation. */
  'only-seed': count('only-seed').optional(),
});

/** The options a state folder was made with: resuming with others would mix two simulations. */
function checkState(stateDir: string, fingerprint: object): void {
  const file = path.join(stateDir, 'options.json');
  const text = JSON.stringify(fingerprint);
  if (fs.existsSync(file)) {
    if (fs.readFileSync(file, 'utf8') !== text) throw new UsageError(`${stateDir} holds a simulation made with other options (${file}): give another --state, or delete it to start over`);
    return;
  }
  fs.mkdirSync(stateDir, { recursive: true });
  fs.writeFileSync(file, text);
}

/** Runs seeds in child processes, at most `processes` at once (wasm uses one core per process). */
async function runSeedsInParallel(seeds: number[], processes: number): Promise<void> {
  const queue = seeds.slice();
  const runOne = (seed: number) => new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...process.argv.slice(2), '--only-seed', String(seed)], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (chunk: Buffer) => { for (const line of chunk.toString().split('\n').filter(Boolean)) console.error(`[seed ${seed}] ${line}`); });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seed ${seed} failed (exit code ${code}); run the same command again to resume`))));
  });
  const worker = async () => { for (let s = queue.shift(); s !== undefined; s = queue.shift()) await runOne(s); };
  await Promise.all(Array.from({ length: Math.min(processes, seeds.length) }, worker));
}

async function main() {
  const { values: a } = parseCli(process.argv.slice(2), options, argsSchema, false);
  let strategies;
  try {
    strategies = checkStrategies(a.strategies.split(',').map((s) => s.trim()).filter(Boolean));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!strategies.includes('random')) strategies.unshift('random'); // the baseline the JSON line compares against
  const roundSeconds = a['round-minutes'] ? a['round-minutes'] * 60 : undefined;
  const roundSteps = a['round-steps'];
  const base = a.base === 'none' ? null : a.base;
  if (base && !fs.existsSync(base)) throw new UsageError(`--base ${base}: no such model folder`);
  const name = path.basename(path.resolve(a.data));
  const outDir = a.out ?? path.join(dataDir(), 'al-simulation');
  const stateDir = a.state ?? path.join(outDir, `${name}.state`);
  const allSeeds = Array.from({ length: a.seeds }, (_, i) => i + 1);
  const fingerprint = { data: path.resolve(a.data), base: base && path.resolve(base), strategies, start: a.start, step: a.step, budget: a.budget, roundSeconds, roundSteps, poolLimit: a['pool-limit'], valLimit: a['val-limit'], preset: a.preset, maskType: a['mask-type'], minSize: a['min-size'], lr: a.lr };
  const processes = a.processes ?? os.cpus().length;
  if (!a['only-seed']) {
    checkState(stateDir, fingerprint);
    if (processes > 1 && allSeeds.length > 1) await runSeedsInParallel(allSeeds, processes);
  }
  const seeds = a['only-seed'] ? [a['only-seed']] : allSeeds;
  const backend = await initModelBackend();
  const ctrl = new AbortController();
  process.on('SIGINT', () => { console.error('stopping after this training step…'); if (ctrl.signal.aborted) process.exit(130); ctrl.abort(); });
  const files = simulationFiles(outDir, name, new Date());
  const result = await simulateActiveLearning({
    data: a.data, base, strategies, start: a.start, step: a.step, budget: a.budget, seeds, preset: a.preset, maskType: a['mask-type'],
    minSize: a['min-size'], roundSteps, roundSeconds, lr: a.lr, poolLimit: a['pool-limit'], valLimit: a['val-limit'], stateDir, signal: ctrl.signal,
    log: (line) => console.error(line),
    onRound: (row) => {
      if (!a['only-seed']) writePartialCsv(files, collectRounds(stateDir));
      console.error(`seed ${row.seed} ${row.strategy.padEnd(14)} ${String(row.labelled).padStart(4)} labelled: maskAP50 ${row.maskAP50?.toFixed(3) ?? '—'} dice ${row.dice?.toFixed(3) ?? '—'} (${row.steps} steps, ${row.seconds.toFixed(0)} s)${row.picked.length ? ` → next ${row.picked.join(' ')}` : ''}`);
    },
  });
  if (a['only-seed']) return;
  await writeSimulationOutputs(files, name, result.rows, result.curves);
  console.log(curvesTable(result.curves));
  console.log(`CSV ${files.csv} (and ${files.latestCsv}), plot ${files.png}; state ${stateDir}; ${result.seconds.toFixed(0)} s`);
  console.log(JSON.stringify({
    labelsToReachRandomFinal: labelsToReachBaselineFinal(result.curves, 'maskAP50'),
    labelsToReachRandomFinalDice: labelsToReachBaselineFinal(result.curves, 'dice'),
    dataset: { name, ...result.dataset }, backend, base, roundSteps: roundSteps ?? null, roundSeconds: roundSteps ? null : (roundSeconds ?? DEFAULT_BUDGET_MIN.segmenter * 60),
    seeds: allSeeds.length, processes, seconds: Math.round(result.seconds), curves: result.curves, files,
  }));
}

runCli(main, USAGE);
