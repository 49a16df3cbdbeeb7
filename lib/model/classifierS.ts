/**
 * Module S of COVID-CT-Mask-Net: the ranked N×5 matrix of the frozen segmenter's detections
 * ([score, dx, dy, dw, dh], still encoded; see postprocess.ts `rankedBoxFeatures`) flattened to 5N →
 * FC (hidden) → ReLU → one logit per slice class; trained with per-class BCE on sigmoid outputs.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClassifierConfig } from './config';
import { linear, type ParamStore } from './layers';

export type ClassifierS = (features: tf.Tensor2D) => tf.Tensor2D;

/** features [B, 5N] → logits [B, C]. Parameters are named `s.*`. */
export function createClassifierS(ps: ParamStore, cfg: Pick<ClassifierConfig, 'rankedN' | 'hiddenUnits' | 'classNames'>): ClassifierS {
  const fc1 = linear(ps, 's.fc1', 5 * cfg.rankedN, cfg.hiddenUnits);
  const out = linear(ps, 's.logits', cfg.hiddenUnits, cfg.classNames.length);
  return (x) => tf.tidy(() => out(fc1(x, 'relu')));
}

/** Per-class binary cross-entropy with logits against one-hot labels, mean over batch and classes. */
export function classifierLoss(logits: tf.Tensor2D, labels: Int32Array | number[]): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), logits.shape[1]).toFloat();
    return tf.losses.sigmoidCrossEntropy(oneHot, logits) as tf.Scalar;
  });
}

/** Uncertainty signals of S's class probabilities (active learning): higher = less sure. */
export function classUncertainty(probs: ArrayLike<number>): { leastConfidence: number; margin: number; entropy: number } {
  const p = Array.from(probs);
  const sum = p.reduce((a, b) => a + b, 0) || 1;
  const q = p.map((v) => v / sum); // sigmoid outputs need not sum to 1
  const sorted = [...q].sort((a, b) => b - a);
  const entropy = -q.reduce((a, v) => a + (v > 0 ? v * Math.log(v) : 0), 0) / Math.log(q.length);
  return { leastConfidence: 1 - sorted[0], margin: 1 - (sorted[0] - (sorted[1] ?? 0)), entropy };
}
