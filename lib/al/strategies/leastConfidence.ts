import type { AcquisitionStrategy } from '../types';

/** Least confidence of S: the slice whose most likely class is least likely comes first. */
export const leastConfidence: AcquisitionStrategy = (c) => c.signals?.leastConfidence;
