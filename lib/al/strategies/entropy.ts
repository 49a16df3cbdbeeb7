import type { AcquisitionStrategy } from '../types';

/** Entropy of S's class distribution. */
export const entropy: AcquisitionStrategy = (c) => c.signals?.entropy;
