import type { JobHandlers } from '../types';

/** The job types this worker runs, by name (MONAI Label's split: one task per file). */
export function jobHandlers(): JobHandlers {
  return {};
}
