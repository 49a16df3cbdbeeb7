import type { AcquisitionStrategy } from '../types';

/** The baseline every other strategy must beat: a uniformly random order. */
export const random: AcquisitionStrategy = (_candidate, draw) => draw();
