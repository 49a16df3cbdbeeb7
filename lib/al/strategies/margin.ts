import type { AcquisitionStrategy } from '../types';

/** Margin of S: the slice whose two most likely classes are closest comes first. */
export const margin: AcquisitionStrategy = (c) => c.signals?.margin;
