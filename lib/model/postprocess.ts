/**
 * Turning head outputs into boxes: the RPN's proposal filter, RoIHeads.postprocess_detections, and the
 * ranked N×5 matrix that feeds COVID-CT-Mask-Net's classifier S. All selection runs on typed arrays
 * outside the gradient tape; only rankedBoxFeatures returns a (differentiable) tensor.
 *
 * Thresholds and weights come from the config (detectionFlow.ts builds them from its rpn and roiHeads).
 *   filterRpnProposals({ anchors, objectness (logits [A]), deltas [A*4], numAnchorsPerLevel, imageSize }, cfg)
 *        : { boxes, scores }  — per-level top-n by logit, decode, clip, drop < minSize, drop prob < scoreThresh,
 *          NMS per level, keep postNmsTopN (scores are sigmoid probabilities)
 *   postprocessDetections({ proposals, classLogits [R*K], boxRegression [R*4K], imageSize }, cfg)
 *        : { boxes, scores, labels, sourceProposal }  — softmax, decode per class, clip, drop background,
 *          score > thresh, sides ≥ minSize, NMS per class, top detectionsPerImg, decreasing score
 *   paddedRowSource(numKept, n): Int32Array [n] — kept row i repeated ⌊n/K'⌋ (+1 for i < n mod K') times, in order
 *   rankedBoxFeatures(classLogits: Tensor2D [R,K], boxRegression: Tensor2D [R,4K], detections, n): Tensor2D [n,5]
 *        rows [score, dx, dy, dw, dh] of the detections (still-encoded deltas of the detection's class),
 *        padded with paddedRowSource; all zeros when nothing was detected
 */
import * as tf from '@tensorflow/tfjs';
import { decodeBoxes, type BoxWeights } from './boxCoder';
import { argsortDescending, batchedNms, boxCount, clipBoxesToImage, removeSmallBoxes, selectBoxes, type Boxes } from './boxOps';

export interface RpnFilterConfig {
  preNmsTopN: number;
  postNmsTopN: number;
  nmsThresh: number;
  minSize: number;
  scoreThresh: number;
  boxWeights: BoxWeights;
}

export interface DetectionConfig {
  scoreThresh: number;
  nmsThresh: number;
  detectionsPerImg: number;
  boxWeights: BoxWeights;
  minSize: number;
}

const f = Math.fround;

function pick<T extends Float32Array | Int32Array>(values: T, indices: ArrayLike<number>): T {
  const out = new (values.constructor as new (n: number) => T)(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = values[indices[i]];
  return out;
}

export function filterRpnProposals(
  input: { anchors: Boxes; objectness: Float32Array; deltas: Float32Array; numAnchorsPerLevel: readonly number[]; imageSize: readonly [number, number] },
  cfg: RpnFilterConfig,
): { boxes: Boxes; scores: Float32Array } {
  const { anchors, objectness, deltas, numAnchorsPerLevel } = input;
  const a = boxCount(anchors);
  if (objectness.length !== a || deltas.length !== 4 * a) throw new Error(`filterRpnProposals: ${a} anchors need ${a} logits and ${4 * a} deltas`);
  if (numAnchorsPerLevel.reduce((s, n) => s + n, 0) !== a) throw new Error('filterRpnProposals: anchors per level do not add up to the anchors');
  // top-n logits per level (sigmoid is monotonic), then decode only those
  const top: number[] = [];
  const level: number[] = [];
  let start = 0;
  numAnchorsPerLevel.forEach((n, l) => {
    const order = argsortDescending(objectness.subarray(start, start + n)).subarray(0, Math.min(cfg.preNmsTopN, n));
    for (const i of order) { top.push(start + i); level.push(l); }
    start += n;
  });
  const boxes = clipBoxesToImage(decodeBoxes(selectBoxes(deltas, top), selectBoxes(anchors, top), cfg.boxWeights), input.imageSize);
  const probs = Float32Array.from(top, (i) => 1 / (1 + Math.exp(-objectness[i])));
  const keep = Array.from(removeSmallBoxes(boxes, cfg.minSize)).filter((i) => probs[i] >= cfg.scoreThresh);
  const kept = batchedNms(selectBoxes(boxes, keep), pick(probs, keep), keep.map((i) => level[i]), cfg.nmsThresh)
    .subarray(0, cfg.postNmsTopN)
    .map((j) => keep[j]);
  return { boxes: selectBoxes(boxes, kept), scores: pick(probs, kept) };
}

function softmaxRows(logits: Float32Array, k: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length; r += k) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, logits[r + c]);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(logits[r + c] - max);
    for (let c = 0; c < k; c++) out[r + c] = Math.exp(logits[r + c] - max) / sum;
  }
  return out;
}

export interface Detections {
  boxes: Boxes;
  scores: Float32Array;
  /** Class of each detection, 1..K−1 (0 is background and never returned). */
  labels: Int32Array;
  /** Index of the proposal each detection was decoded from. */
  sourceProposal: Int32Array;
}

export function postprocessDetections(
  input: { proposals: Boxes; classLogits: Float32Array; boxRegression: Float32Array; imageSize: readonly [number, number] },
  cfg: DetectionConfig,
): Detections {
  const r = boxCount(input.proposals);
  const k = r === 0 ? 0 : input.classLogits.length / r;
  if (r > 0 && (!Number.isInteger(k) || k < 2 || input.boxRegression.length !== 4 * k * r))
    throw new Error(`postprocessDetections: ${r} proposals need [${r}, K] logits (K ≥ 2) and [${r}, 4K] regression`);
  const scores = softmaxRows(input.classLogits, k);
  const boxes = clipBoxesToImage(decodeBoxes(input.boxRegression, input.proposals, cfg.boxWeights), input.imageSize);
  // candidates in proposal-major, class-minor order, background dropped
  const thresh = f(cfg.scoreThresh);
  const cand: number[] = [];
  for (let p = 0; p < r; p++) for (let c = 1; c < k; c++) if (scores[p * k + c] > thresh) cand.push(p * k + c);
  const candBoxes = selectBoxes(boxes, cand);
  const big = removeSmallBoxes(candBoxes, cfg.minSize);
  const kept = batchedNms(selectBoxes(candBoxes, big), pick(scores, pick(Int32Array.from(cand), big)), Array.from(big, (i) => cand[i] % k), cfg.nmsThresh)
    .subarray(0, cfg.detectionsPerImg)
    .map((j) => cand[big[j]]);
  return {
    boxes: selectBoxes(boxes, kept),
    scores: pick(scores, kept),
    labels: kept.map((i) => i % k),
    sourceProposal: kept.map((i) => Math.floor(i / k)),
  };
}

export function paddedRowSource(numKept: number, n: number): Int32Array {
  if (!(numKept > 0)) throw new Error('paddedRowSource: padding needs at least one kept detection');
  if (numKept >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const out = new Int32Array(n);
  let o = 0;
  const base = Math.floor(n / numKept);
  const extra = n % numKept;
  for (let i = 0; i < numKept; i++) for (let t = 0; t < base + (i < extra ? 1 : 0); t++) out[o++] = i;
  return out;
}

export function rankedBoxFeatures(
  classLogits: tf.Tensor2D,
  boxRegression: tf.Tensor2D,
  detections: Pick<Detections, 'labels' | 'sourceProposal'>,
  n: number,
): tf.Tensor2D {
  const [r, k] = classLogits.shape;
  if (boxRegression.shape[0] !== r || boxRegression.shape[1] !== 4 * k)
    throw new Error(`rankedBoxFeatures: box regression must be [${r}, ${4 * k}]`);
  const d = detections.labels.length;
  if (d === 0) return tf.zeros([n, 5]);
  // One-hot row selection as a matMul: differentiable with a dense, cheap gradient on every backend.
  const rows = paddedRowSource(d, n);
  const select = new Float32Array(n * r * k);
  rows.forEach((j, i) => { select[i * r * k + detections.sourceProposal[j] * k + detections.labels[j]] = 1; });
  return tf.tidy(() => {
    const sel = tf.tensor2d(select, [n, r * k]);
    const score = tf.matMul(sel, tf.softmax(classLogits).reshape([r * k, 1]));
    const deltas = tf.matMul(sel, boxRegression.reshape([r * k, 4]));
    return tf.concat([score, deltas], 1) as tf.Tensor2D;
  });
}
