import type { AcquisitionStrategy } from '../types';

/** The segmenter's own doubt about its lesions (box scores and mask probabilities). */
export const segmentation: AcquisitionStrategy = (c) => c.signals?.segmentation;
