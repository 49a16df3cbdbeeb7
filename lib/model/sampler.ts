/**
 * torchvision BalancedPositiveNegativeSampler with a seeded RNG, and the two "select training samples"
 * steps built on it (RPN anchors; RoI-head proposals with the gt boxes appended).
 *
 * Batch sizes, fractions, matcher thresholds and box weights come from the config (rpn.ts, roiHeads.ts).
 *   sampleBalanced(labels, batchSizePerImage, positiveFraction, rng): { positive, negative }
 *        labels ≥ 1 are positive, 0 negative, −1 never drawn; numPos = min(#pos, int(batch·fraction)),
 *        numNeg = min(#neg, batch − numPos); uniform without replacement; each list ascending
 *   balancedSampler(batchSizePerImage, positiveFraction, rng): Sampler   — the same, as a function of labels
 *   selectRpnTrainingSamples(anchors, gtBoxes, sampler, opts): { labels, regressionTargets, positive, negative }
 *   selectRoiTrainingSamples(proposals, gtBoxes, gtLabels, sampler, opts):
 *        { proposals, labels, matchedIdxs, regressionTargets, sampledIdxs }   — sampled rows in ascending order
 */
import { encodeBoxes, type BoxWeights } from './boxCoder';
import { boxCount, selectBoxes, type Boxes } from './boxOps';
import { assignRoiTargets, assignRpnTargets, type MatcherConfig } from './matcher';

/** Anything with a uniform [0, 1) generator, e.g. lib/model/random.ts's Rng. */
export interface UniformRng {
  next(): number;
}

export interface SampledIndices {
  positive: Int32Array;
  negative: Int32Array;
}

export type Sampler = (labels: ArrayLike<number>) => SampledIndices;

/** `count` distinct entries of `pool`, uniformly (partial Fisher–Yates), returned in ascending order. */
function drawAscending(pool: number[], count: number, rng: UniformRng): Int32Array {
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng.next() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return Int32Array.from(pool.slice(0, count)).sort();
}

export function sampleBalanced(
  labels: ArrayLike<number>,
  batchSizePerImage: number,
  positiveFraction: number,
  rng: UniformRng,
): SampledIndices {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= 1) pos.push(i);
    else if (labels[i] === 0) neg.push(i);
  }
  const numPos = Math.min(pos.length, Math.floor(batchSizePerImage * positiveFraction));
  const numNeg = Math.min(neg.length, batchSizePerImage - numPos);
  return { positive: drawAscending(pos, numPos, rng), negative: drawAscending(neg, numNeg, rng) };
}

export function balancedSampler(batchSizePerImage: number, positiveFraction: number, rng: UniformRng): Sampler {
  return (labels) => sampleBalanced(labels, batchSizePerImage, positiveFraction, rng);
}

/** The matcher's thresholds and the box coder's weights of one stage (from the config: rpn or roiHeads). */
export interface TargetOptions {
  matcher: MatcherConfig;
  boxWeights: BoxWeights;
}

export function selectRpnTrainingSamples(
  anchors: Boxes,
  gtBoxes: Boxes,
  sampler: Sampler,
  opts: TargetOptions,
): { labels: Float32Array; regressionTargets: Float32Array; positive: Int32Array; negative: Int32Array } {
  const { labels, matchedGtBoxes } = assignRpnTargets(anchors, gtBoxes, opts.matcher);
  const regressionTargets = encodeBoxes(anchors, matchedGtBoxes, opts.boxWeights);
  return { labels, regressionTargets, ...sampler(labels) };
}

export function selectRoiTrainingSamples(
  proposals: Boxes,
  gtBoxes: Boxes,
  gtLabels: ArrayLike<number>,
  sampler: Sampler,
  opts: TargetOptions,
): { proposals: Boxes; labels: Int32Array; matchedIdxs: Int32Array; regressionTargets: Float32Array; sampledIdxs: Int32Array } {
  // The gt boxes join the proposals so that every gt has at least one perfect positive.
  const all = new Float32Array(proposals.length + gtBoxes.length);
  all.set(proposals);
  all.set(gtBoxes, proposals.length);
  const { labels, matchedIdxs } = assignRoiTargets(all, gtBoxes, gtLabels, opts.matcher);
  const { positive, negative } = sampler(labels);
  const sampledIdxs = Int32Array.from([...positive, ...negative]).sort();
  const sampled = selectBoxes(all, sampledIdxs);
  const sampledMatched = sampledIdxs.map((i) => matchedIdxs[i]);
  const regressionTargets =
    boxCount(gtBoxes) === 0
      ? encodeBoxes(sampled, sampled, opts.boxWeights) // unused: no positives
      : encodeBoxes(sampled, selectBoxes(gtBoxes, sampledMatched), opts.boxWeights);
  return { proposals: sampled, labels: sampledIdxs.map((i) => labels[i]), matchedIdxs: sampledMatched, regressionTargets, sampledIdxs };
}
