import type { JobHandlers } from '../types';
import { evaluateJob } from './evaluate';
import { importDicomWebJob } from './importDicomWeb';
import { importJob } from './import';
import { scoreJob } from './score';
import { trainClassifierJob } from './trainClassifier';
import { trainSegmenterJob } from './trainSegmenter';

/** The job types this worker runs, by name (MONAI Label's split: one task per file). */
export function jobHandlers(): JobHandlers {
  return {
    'train-segmenter': trainSegmenterJob,
    'train-classifier': trainClassifierJob,
    score: scoreJob,
    evaluate: evaluateJob,
    'import-dicomweb': importDicomWebJob,
    import: importJob,
  };
}
