/**
 * The image tools' value settings follow the slice's pixel semantics: CT slices store HU, 8-bit images (PNG/JPEG
 * of already-windowed CT) store display values 0–255, where HU ranges mean nothing.
 */
import type { ToolOptions } from './types';

export type PixelKind = 'HU' | 'WINDOWED';

export interface ThresholdPreset {
  name: string;
  range: { low: number; high: number };
}

/** Typical attenuation of the lesions in HU (the product's GGO and consolidation ranges). */
export const HU_THRESHOLD_PRESETS: ThresholdPreset[] = [
  { name: 'GGO −750…−300', range: { low: -750, high: -300 } },
  { name: 'C −300…+100', range: { low: -300, high: 100 } },
];

/** Threshold presets shown for a slice: the HU ranges for CT; none for display values (the range is set by hand). */
export function thresholdPresetsFor(kind: PixelKind): ThresholdPreset[] {
  return kind === 'HU' ? HU_THRESHOLD_PRESETS : [];
}

/**
 * Starting values: on CT the GGO range and a 100 HU wand tolerance; on 8-bit slices the brighter half of the grey
 * scale (lesions are brighter than aerated lung in a lung window) and a tolerance of 20 grey levels.
 */
export function toolDefaultsFor(kind: PixelKind): Partial<ToolOptions> {
  return kind === 'HU' ? { range: HU_THRESHOLD_PRESETS[0].range, tolerance: 100 } : { range: { low: 100, high: 255 }, tolerance: 20 };
}
