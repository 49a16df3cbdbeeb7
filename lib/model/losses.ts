/**
 * Mask R-CNN training losses (torchvision normalisation), written with ops that tfjs can differentiate
 * on every backend: no where/less on the tape, and selections by dense 0/1 masks built in JS instead of
 * gather (whose gradient needs UnsortedSegmentSum, one pass per segment on the cpu backend).
 *
 *   SMOOTH_L1_BETA = 1/9                     — torchvision's fixed β for both box losses (not a config value)
 *   smoothL1(diff, beta?): Tensor             — elementwise 0.5·z²/β if |z| < β else |z| − 0.5·β (min/abs form)
 *   bceWithLogits(logits, targets): Tensor    — elementwise max(x,0) − x·y + log(1 + exp(−|x|))
 *   softmaxCrossEntropy(logits [S,K], labels): Tensor1D [S] — logsumexp(z) − z[label]; for label K ("a lesion
 *        of unknown class", see data/instances.ts) the partial-label likelihood logsumexp(z) − logsumexp(z[1..K−1])
 *   classWeights(labels, K): Float32Array [S*K]   — one-hot rows; label K spreads 1/(K−1) over the foreground
 *   rpnLoss(objectness [A], deltas [A,4], targets): { objectness, boxReg } (scalars)
 *        targets = { labels [A], regressionTargets [A*4], positive, negative } (sampler.selectRpnTrainingSamples);
 *        objectness = mean BCE over the sampled anchors; boxReg = Σ_pos smooth-L1 / number sampled;
 *        targets of non-positive anchors are ignored, so zero-area anchors' infinite targets are harmless
 *   fastrcnnLoss(classLogits [S,K], boxRegression [S,4K], labels [S], regressionTargets [S*4]): { classifier, boxReg }
 *        classifier = mean CE; boxReg = Σ over positives of smooth-L1 on the gt class's 4 deltas / S (averaged
 *        over the foreground classes for a lesion of unknown class)
 */
import * as tf from '@tensorflow/tfjs';

export const SMOOTH_L1_BETA = 1 / 9;

export function smoothL1(diff: tf.Tensor, beta: number = SMOOTH_L1_BETA): tf.Tensor {
  return tf.tidy(() => {
    const a = tf.abs(diff);
    const m = tf.minimum(a, beta);
    // quadratic up to β, then linear: 0.5·m²/β + (|z| − m)
    return tf.add(tf.mul(tf.square(m), 0.5 / beta), tf.sub(a, m));
  });
}

export function bceWithLogits(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))),
  );
}

/**
 * How much each class's outputs count for each row: one-hot for a known label; a lesion whose class is
 * not known (label K, from merged-lesion masks in a GGO/C model) teaches every foreground class's box and
 * mask outputs equally, since all of them should fit a lesion's outline.
 */
export function classWeights(labels: ArrayLike<number>, numClasses: number): Float32Array {
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!(Number.isInteger(l) && l >= 0 && l <= numClasses)) throw new Error(`label ${l} is outside the ${numClasses} classes`);
    if (l < numClasses) out[i * numClasses + l] = 1;
    else for (let c = 1; c < numClasses; c++) out[i * numClasses + c] = 1 / (numClasses - 1);
  }
  return out;
}

/** A large negative logit offset: exp() of it is exactly 0 in float32, and unlike −∞ it cannot make NaNs. */
const EXCLUDED = -1e9;

export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: ArrayLike<number>): tf.Tensor1D {
  const [s, k] = logits.shape;
  if (labels.length !== s) throw new Error(`softmaxCrossEntropy: ${s} rows of logits but ${labels.length} labels`);
  // −log Σ_{c allowed} softmax(z)_c: one allowed class for a known label, every foreground class for label K
  const excluded = Float32Array.from(classWeights(labels, k), (w) => (w > 0 ? 0 : EXCLUDED));
  return tf.tidy(() => tf.sub(tf.logSumExp(logits, 1), tf.logSumExp(tf.add(logits, tf.tensor2d(excluded, [s, k])), 1)) as tf.Tensor1D);
}

export interface RpnTargets {
  labels: Float32Array;
  regressionTargets: Float32Array;
  positive: Int32Array;
  negative: Int32Array;
}

export function rpnLoss(
  objectness: tf.Tensor1D,
  deltas: tf.Tensor2D,
  targets: RpnTargets,
  beta: number = SMOOTH_L1_BETA,
): { objectness: tf.Scalar; boxReg: tf.Scalar } {
  const a = objectness.shape[0];
  if (deltas.shape[0] !== a || targets.labels.length !== a || targets.regressionTargets.length !== 4 * a)
    throw new Error(`rpnLoss: objectness (${a}), deltas (${deltas.shape[0]}), labels (${targets.labels.length}) and targets must cover the same anchors`);
  const numSampled = targets.positive.length + targets.negative.length;
  if (numSampled === 0) throw new Error('rpnLoss: no anchor was sampled (an image without anchors?)');
  const sampled = new Float32Array(a);
  for (const i of targets.negative) sampled[i] = 1;
  // Only positives' targets are read (as torchvision). Zero-area anchors (size 2, ratio 0.1) encode to
  // ±∞; a dense mask would turn 0·∞ into NaN, so the targets are copied for positives only, and a
  // non-finite one (a zero-area anchor matched as a low-quality positive) is left out of the loss.
  const positive = new Float32Array(4 * a); // already [A, 4]: broadcasting is slow on the cpu backend
  const boxTargets = new Float32Array(4 * a);
  for (const i of targets.positive) {
    sampled[i] = 1;
    for (let k = 4 * i; k < 4 * i + 4; k++) {
      if (!Number.isFinite(targets.regressionTargets[k])) continue;
      positive[k] = 1;
      boxTargets[k] = targets.regressionTargets[k];
    }
  }
  // Labels of unsampled anchors (−1 included) are masked out; clamp so BCE stays finite there.
  const labels = targets.labels.map((l) => (l > 0 ? 1 : 0));
  return tf.tidy(() => {
    const bce = bceWithLogits(objectness, tf.tensor1d(labels));
    const obj = tf.div(tf.sum(tf.mul(bce, tf.tensor1d(sampled))), numSampled) as tf.Scalar;
    const sl1 = smoothL1(tf.sub(deltas, tf.tensor2d(boxTargets, [a, 4])), beta);
    const box = tf.div(tf.sum(tf.mul(sl1, tf.tensor2d(positive, [a, 4]))), numSampled) as tf.Scalar;
    return { objectness: obj, boxReg: box };
  });
}

export function fastrcnnLoss(
  classLogits: tf.Tensor2D,
  boxRegression: tf.Tensor2D,
  labels: ArrayLike<number>,
  regressionTargets: Float32Array,
  beta: number = SMOOTH_L1_BETA,
): { classifier: tf.Scalar; boxReg: tf.Scalar } {
  const [s, k] = classLogits.shape;
  if (s === 0) throw new Error('fastrcnnLoss: no sampled proposals');
  if (boxRegression.shape[0] !== s || boxRegression.shape[1] !== 4 * k || regressionTargets.length !== 4 * s)
    throw new Error(`fastrcnnLoss: box regression must be [${s}, ${4 * k}] with ${4 * s} targets`);
  // Only the gt class's slice of a positive row counts: a weight mask over [S, K, 1] (background rows: none).
  const classMask = classWeights(labels, k);
  for (let i = 0; i < s; i++) classMask[i * k] = 0;
  // background rows' targets are never read; zero them so that 0·(non-finite) cannot leak NaN
  const boxTargets = regressionTargets.map((v, j) => (labels[Math.floor(j / 4)] > 0 ? v : 0));
  return tf.tidy(() => {
    const classifier = tf.mean(softmaxCrossEntropy(classLogits, labels)) as tf.Scalar;
    const pred = boxRegression.reshape([s, k, 4]);
    const target = tf.tensor3d(boxTargets, [s, 1, 4]);
    const sl1 = smoothL1(tf.sub(pred, target), beta);
    const boxReg = tf.div(tf.sum(tf.mul(sl1, tf.tensor3d(classMask, [s, k, 1]))), s) as tf.Scalar;
    return { classifier, boxReg };
  });
}
