/**
 * The score task for one slice — what the worker's score job and the active-learning simulation both run: the
 * segmenter's prediction (proposals), and the signals the acquisition strategies rank by, all "higher = less
 * sure" in [0, 1]. The costly signals are computed only when a strategy needs them: test-time-augmented passes
 * (epistemic, 5 predictions) and the slice descriptor (core-set, one trunk pass).
 */
import type { ClassThreshold } from '@/lib/model/calibrate';
import type { CovidCtMaskNet } from '@/lib/model/classifierS';
import type { GreySlice } from '@/lib/model/data/augment';
import { sliceEmbedding } from '@/lib/model/embedding';
import { epistemicUncertainty } from '@/lib/model/epistemic';
import { predictWith, type Segmenter, type SlicePrediction } from '@/lib/model/predict';
import type { SignalSource } from './strategies';
import type { UncertaintySignals } from './types';

export interface ScoredSlice {
  prediction: SlicePrediction;
  signals: UncertaintySignals;
  embedding?: number[];
}

export interface ScoreSliceOptions {
  thresholds?: Record<string, ClassThreshold>;
  /** The signals the strategies in use read (default: the cheap ones only). */
  needs?: readonly SignalSource[];
  /** Trace proposal outlines (the product does; the simulation does not need them). */
  polygons?: boolean;
}

/** On either inference backend (TensorFlow.js or onnxruntime, lib/model/inferenceBackend.ts). */
export async function scoreSlice(segmenter: Segmenter, slice: GreySlice, classifier: CovidCtMaskNet | undefined, o: ScoreSliceOptions = {}): Promise<ScoredSlice> {
  const prediction = await predictWith(segmenter, slice, classifier, { thresholds: o.thresholds, polygons: o.polygons });
  const u = prediction.uncertainty;
  const signals: UncertaintySignals = {
    segmentation: u.detection,
    ...(u.leastConfidence !== undefined ? { leastConfidence: u.leastConfidence, margin: u.margin, entropy: u.entropy } : {}),
  };
  if (o.needs?.includes('epistemic')) {
    const e = await epistemicUncertainty(segmenter, slice, { thresholds: o.thresholds });
    signals.epistemic = e.mean;
    signals.epistemicByClass = e.byClass;
  }
  return { prediction, signals, ...(o.needs?.includes('embedding') ? { embedding: await sliceEmbedding(segmenter, slice) } : {}) };
}
