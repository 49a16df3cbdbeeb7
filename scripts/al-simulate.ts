/**
 * npm run al:simulate -- --data <dir> --strategies random,segmentation --start 10 --step 10 --budget 100 --seeds 3
 * Replays active learning on a segmentation data folder with its ground-truth masks as the oracle (lib/al/simulate.ts),
 * writes the learning curves as CSV and PNG, prints a table and ends with one JSON line:
 * {"labelsToReachRandomFinal":{"<strategy>":<fraction of random's labels or null>,…}, …}.
 */
import path from 'node:path';
import { z } from 'zod';
import { parseCli, runCli, UsageError } from '../lib/cli/args';
import { labelsToReachBaselineFinal } from '../lib/al/curves';
import { SIMULATION_STRATEGIES, checkStrategies, simulateActiveLearning } from '../lib/al/simulate';
import type { RoundResult } from '../lib/al/curves';
import { curvesTable, simulationFiles, writePartialCsv, writeSimulationOutputs } from '../lib/al/simulationReport';
import { MASK_TYPES, PRESETS } from '../lib/model/config';
import { initModelBackend } from '../lib/model/runtime';
import { dataDir } from '../lib/paths';

const USAGE = `usage: npm run al:simulate -- --data <dir> [--strategies ${SIMULATION_STRATEGIES.join(',')}] [--start 10] [--step 10]
  [--budget 100] [--seeds 3] [--out <dir>] [--round-steps N | --round-minutes M] [--pool-limit N] [--val-limit N]
  [--preset tiny|light|full] [--mask-type both|merge|ggo] [--min-size PX] [--lr X]
  --data           a segmentation folder (images/ + masks/ or ct/ + lesion/): pool = its train split, test = its val split
  --strategies     comma-separated; least-confidence, margin and entropy need slice classes, which these folders lack
  --seeds N        runs with seeds 1..N (mean and spread over them)
  --round-steps    training steps per round (default 150); --round-minutes caps each round's training time instead/too
  --pool-limit     keep N pool slices, evenly spaced over the train split (speed); --val-limit likewise for val
  --out            default: DATA_DIR/al-simulation; writes <dataset>-<timestamp>.csv/.png and latest.csv/.png`;

const options = {
  data: { type: 'string' }, strategies: { type: 'string' }, start: { type: 'string' }, step: { type: 'string' },
  budget: { type: 'string' }, seeds: { type: 'string' }, out: { type: 'string' }, 'round-steps': { type: 'string' },
  'round-minutes': { type: 'string' }, 'pool-limit': { type: 'string' }, 'val-limit': { type: 'string' },
  preset: { type: 'string' }, 'mask-type': { type: 'string' }, 'min-size': { type: 'string' }, lr: { type: 'string' },
} as const;

const count = (name: string) => z.coerce.number({ message: `--${name} must be a number` }).int(`--${name} must be a whole number`).positive(`--${name} must be at least 1`);
const argsSchema = z.object({
  data: z.string({ message: '--data <dir> is required' }).min(1),
  strategies: z.string().default('random,segmentation'),
  start: count('start').default(10),
  step: count('step').default(10),
  budget: count('budget').default(100),
  seeds: count('seeds').default(3),
  out: z.string().min(1).optional(),
  'round-steps': count('round-steps').optional(),
  'round-minutes': z.coerce.number().positive('--round-minutes must be positive').optional(),
  'pool-limit': count('pool-limit').optional(),
  'val-limit': count('val-limit').optional(),
  preset: z.enum(PRESETS, { message: `--preset must be one of ${PRESETS.join(', ')}` }).default('tiny'),
  'mask-type': z.enum(MASK_TYPES, { message: `--mask-type must be one of ${MASK_TYPES.join(', ')}` }).optional(),
  'min-size': z.coerce.number().int().min(32, '--min-size must be at least 32').optional(),
  lr: z.coerce.number().positive('--lr must be positive').optional(),
});

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
  const roundSteps = a['round-steps'] ?? (roundSeconds ? undefined : 150);
  const backend = await initModelBackend();
  const ctrl = new AbortController();
  process.on('SIGINT', () => { console.error('stopping after this training step…'); if (ctrl.signal.aborted) process.exit(130); ctrl.abort(); });
  const seeds = Array.from({ length: a.seeds }, (_, i) => i + 1);
  const name = path.basename(path.resolve(a.data));
  const files = simulationFiles(a.out ?? path.join(dataDir(), 'al-simulation'), name, new Date());
  const done: RoundResult[] = [];
  const result = await simulateActiveLearning({
    data: a.data, strategies, start: a.start, step: a.step, budget: a.budget, seeds, preset: a.preset, maskType: a['mask-type'],
    minSize: a['min-size'], roundSteps, roundSeconds, lr: a.lr, poolLimit: a['pool-limit'], valLimit: a['val-limit'], signal: ctrl.signal,
    log: (line) => console.error(line),
    onRound: ({ seconds, picked, ...row }) => {
      done.push(row);
      writePartialCsv(files, done);
      console.error(`seed ${row.seed} ${row.strategy.padEnd(12)} ${String(row.labelled).padStart(4)} labelled: maskAP50 ${row.maskAP50?.toFixed(3) ?? '—'} dice ${row.dice?.toFixed(3) ?? '—'} (${seconds.toFixed(0)} s)${picked.length ? ` → next ${picked.join(' ')}` : ''}`);
    },
  });
  await writeSimulationOutputs(files, name, result.rows, result.curves);
  console.log(curvesTable(result.curves));
  console.log(`CSV ${files.csv} (and ${files.latestCsv}), plot ${files.png}; ${result.trainings} training runs in ${result.seconds.toFixed(0)} s`);
  console.log(JSON.stringify({
    labelsToReachRandomFinal: labelsToReachBaselineFinal(result.curves, 'maskAP50'),
    labelsToReachRandomFinalDice: labelsToReachBaselineFinal(result.curves, 'dice'),
    dataset: { name, ...result.dataset }, backend, roundSteps: roundSteps ?? null, roundSeconds: roundSeconds ?? null,
    seeds: seeds.length, trainings: result.trainings, seconds: Math.round(result.seconds), curves: result.curves, files,
  }));
}

runCli(main, USAGE);
