import type { AcquisitionStrategy } from '../types';

/**
 * The mean of the signals present: the classifier's entropy and the segmenter's uncertainty weigh equally, so a
 * slice the segmenter doubts is asked about even when S is sure of its class, and the other way round.
 */
export const combined: AcquisitionStrategy = (c) => {
  const s = c.signals;
  if (!s) return undefined;
  const parts = [s.entropy, s.segmentation].filter((v): v is number => v !== undefined && Number.isFinite(v));
  return parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : undefined;
};
