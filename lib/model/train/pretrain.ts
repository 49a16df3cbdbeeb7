/**
 * Pretraining the base segmenter that every install ships (models/base): a GGO/C Mask R-CNN trained on
 * public data of two kinds at once —
 *   - slices whose masks merge GGO and consolidation (the Zenodo set): they teach where lesions are and
 *     their outlines; their instances are lesions of unknown class (data/instances.unknownLesionLabel), so
 *     the box classifier learns "one of GGO or C" from them without being told which;
 *   - slices with separate GGO and C masks (MedSeg), repeated so that roughly a fifth of the steps teach
 *     the GGO/C decision, which the merged data cannot.
 * Validation (keep-best, proposal-threshold calibration) runs on held-out class-labelled slices only.
 */
import type { SegmenterConfig } from '../config';
import type { LabelledSlice, SegmentationRef } from '../data/datasets';
import type { MaskRcnn } from '../maskRcnn';
import { SEGMENTER_RECIPES } from './recipes';
import { trainSegmenter, type TrainResult, type TrainSegmenterOptions } from './trainSegmenter';

export interface PretrainData {
  /** Slices with merged-lesion masks. */
  merged: (SegmentationRef | LabelledSlice)[];
  /** Slices with GGO/C masks. */
  classes: (SegmentationRef | LabelledSlice)[];
  /** Held-out GGO/C slices for keep-best and calibration. */
  tune: (SegmentationRef | LabelledSlice)[];
}

/** Repeats of the class-labelled slices per epoch so that they make about `share` of the steps. */
export function classRepeats(merged: number, classes: number, share = 0.2): number {
  if (classes === 0) return 0;
  return Math.max(1, Math.round((share * merged) / ((1 - share) * classes)));
}

export function pretrainingSet<T>(data: { merged: T[]; classes: T[] }, share = 0.2): T[] {
  const r = classRepeats(data.merged.length, data.classes.length, share);
  return [...data.merged, ...Array.from({ length: r }, () => data.classes).flat()];
}

export async function pretrainSegmenter(
  config: SegmenterConfig,
  data: PretrainData,
  o: Pick<TrainSegmenterOptions, 'onProgress' | 'onEpoch' | 'signal' | 'checkpointDir' | 'resume' | 'summary' | 'validateEvery'> & { seed: number; maxSteps: number },
): Promise<TrainResult<MaskRcnn>> {
  if (config.maskType !== 'both') throw new Error('The base model proposes GGO and C: pretrain it with mask type "both"');
  const { seed, maxSteps, ...hooks } = o;
  return trainSegmenter({
    ...hooks,
    config,
    train: pretrainingSet(data),
    val: data.tune,
    options: { ...SEGMENTER_RECIPES.pretrain, seed, maxSteps },
    keepBest: true,
  });
}
