import type { JobRegistry } from '../types';
import { evaluateJob } from './evaluate';
import { importDicomWebJob } from './importDicomWeb';
import { importJob } from './import';
import { scoreJob } from './score';
import { trainClassifierJob } from './trainClassifier';
import { trainSegmenterJob } from './trainSegmenter';

/**
 * The job types this worker runs, by name (MONAI Label's split: one task per file). Each entry says what it does
 * and which config it takes; the worker parses the config with it before running the job.
 */
export function jobTypes(): JobRegistry {
  const entries = [trainSegmenterJob, trainClassifierJob, scoreJob, evaluateJob, importDicomWebJob, importJob];
  return Object.fromEntries(entries.map((t) => [t.name, t]));
}
