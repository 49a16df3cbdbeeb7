/**
 * Module S of COVID-CT-Mask-Net: the ranked N×5 matrix of the frozen segmenter's detections
 * ([score, dx, dy, dw, dh], still encoded; see postprocess.ts `rankedBoxFeatures`) flattened to 5N →
 * FC (hidden) → ReLU → one logit per slice class; trained with per-class BCE on sigmoid outputs.
 */
import * as tf from '@tensorflow/tfjs';
import { isNormParam } from './backbones';
import type { ClassifierConfig } from './config';
import { linear, ParamStore } from './layers';
import { MaskRcnn, type ModelInput } from './maskRcnn';
import { rankedBoxFeatures } from './postprocess';

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

/**
 * COVID-CT-Mask-Net: the segmenter's trunk (backbone, RPN, RoI box head) run with score threshold
 * −0.01 so every box survives, its top-N detections as S's ranked input, and S. The segmenter's
 * parameters and S's share one ParamStore (saved together); which of them train depends on the mode.
 */
export class CovidCtMaskNet {
  readonly ps: ParamStore;
  readonly segmenter: MaskRcnn;
  readonly s: ClassifierS;

  constructor(readonly config: ClassifierConfig, seed = 0) {
    this.ps = new ParamStore(seed);
    this.segmenter = new MaskRcnn(config.segmenter, seed, this.ps);
    this.s = createClassifierS(this.ps, config);
  }

  /** Parameters that train in the configured mode (paper: heads = S only; heads+bn adds norm affines). */
  trainableFilter(): (name: string) => boolean {
    const mode = this.config.mode;
    if (mode === 'full') return () => true;
    if (mode === 'heads+bn') return (n) => n.startsWith('s.') || isNormParam(n);
    return (n) => n.startsWith('s.');
  }

  /**
   * S's input for one slice as a [1, 5N] tensor: the trunk's detections at score threshold −0.01,
   * NMS 0.75, top N, as rankedBoxFeatures rows (padded by repeating rows). Differentiable w.r.t. the
   * trunk (heads+bn / full modes); call inside a tidy or a gradient tape.
   */
  rankedFeaturesTensor(input: ModelInput): tf.Tensor2D {
    const { proposals, box } = this.segmenter.boxStage(input);
    const det = this.segmenter.postprocess(proposals, box.classLogits.dataSync() as Float32Array, box.boxRegression.dataSync() as Float32Array, input.imageHW, {
      scoreThresh: this.config.scoreThresh, nmsThresh: this.config.nmsThresh, detectionsPerImg: this.config.rankedN,
    });
    return tf.reshape(rankedBoxFeatures(box.classLogits, box.boxRegression, det, this.config.rankedN), [1, 5 * this.config.rankedN]) as tf.Tensor2D;
  }

  /** The same as a typed array (heads mode: computed once per slice and cached). */
  rankedFeatures(input: ModelInput): Float32Array {
    const t = tf.tidy(() => this.rankedFeaturesTensor(input));
    const data = t.dataSync() as Float32Array;
    t.dispose();
    return data;
  }

  /** Class probabilities (sigmoid of S's logits) for one slice. */
  predictProbs(input: ModelInput): Float32Array {
    return tf.tidy(() => tf.sigmoid(this.s(this.rankedFeaturesTensor(input))).dataSync() as Float32Array);
  }

  dispose(): void {
    this.ps.dispose();
  }
}
