/**
 * Window/level (VOI) maths for CT display.
 *
 * Mapping: DICOM's linear VOI LUT function, PS3.3 C.11.2.1.2.1 ("LINEAR"), with window centre c (the level),
 * width w ≥ 1 and output range ymin = 0 .. ymax = 255:
 *
 *   if      x <= c − 0.5 − (w − 1)/2   → y = ymin
 *   else if x >  c − 0.5 + (w − 1)/2   → y = ymax
 *   else    y = ((x − (c − 0.5)) / (w − 1) + 0.5) · (ymax − ymin) + ymin
 *
 * then rounded to the nearest integer. The input x is what the modality LUT produced: HU for CT volumes
 * (rescale slope/intercept already applied), or the stored 8-bit value for already-windowed images.
 */

export interface Window {
  /** Window width (DICOM WindowWidth), ≥ 1. */
  width: number;
  /** Window centre (DICOM WindowCenter), in the input's units (HU or 8-bit grey). */
  level: number;
}

export const WINDOW_PRESETS = {
  lung: { width: 1500, level: -600 },
  mediastinal: { width: 350, level: 50 },
} as const satisfies Record<string, Window>;

export type WindowPresetName = keyof typeof WINDOW_PRESETS;

/**
 * The window under which an 8-bit image displays unchanged: with w = 256, c = 128 the linear VOI function maps
 * every value 0..255 to itself. Used as the stored window of already-windowed PNG/JPEG slices.
 */
export const IDENTITY_WINDOW_8BIT: Window = { width: 256, level: 128 };

/** What a slice's stored values are: Hounsfield units (DICOM, NIfTI) or 8-bit display values (PNG/JPEG). */
export type PixelKind = 'HU' | 'WINDOWED';

export interface NamedWindow {
  name: string;
  label: string;
  win: Window;
}

/**
 * The window presets that mean something for a slice. The lung and mediastinal windows are HU ranges: on 8-bit
 * display values (0–255) "Lung" (W1500/L−600) maps every pixel to white. Display data gets the image as stored and
 * a contrast stretch over the darker half, where ground glass lies in an image exported in a lung window.
 */
export function windowPresetsFor(kind: PixelKind): NamedWindow[] {
  if (kind === 'HU') return [{ name: 'lung', label: 'Lung', win: WINDOW_PRESETS.lung }, { name: 'mediastinal', label: 'Mediastinal', win: WINDOW_PRESETS.mediastinal }];
  return [{ name: 'stored', label: 'As stored', win: IDENTITY_WINDOW_8BIT }, { name: 'contrast', label: 'More contrast', win: { width: 128, level: 96 } }];
}

/** Default window for HU slices that carry none (no DICOM tags, NIfTI): the lung preset, the product's focus. */
export const DEFAULT_HU_WINDOW: Window = WINDOW_PRESETS.lung;

const USAGE = 'use lung, mediastinal or <width>,<level> with width ≥ 1 (e.g. 1500,-600)';

/** Throws when a window cannot be used by the linear VOI function (width < 1 or non-finite numbers). */
export function assertValidWindow(win: Window): void {
  if (!Number.isFinite(win.width) || !Number.isFinite(win.level) || win.width < 1) {
    throw new RangeError(`Invalid window width=${win.width} level=${win.level}: ${USAGE}`);
  }
}

/** Parses `lung`, `mediastinal` or `<width>,<level>` (e.g. `1500,-600`); throws a RangeError saying what is accepted. */
export function parseWindow(text: string): Window {
  const t = text.trim().toLowerCase();
  if (t in WINDOW_PRESETS) return { ...WINDOW_PRESETS[t as WindowPresetName] };
  const m = /^([+-]?\d+(?:\.\d+)?)\s*,\s*([+-]?\d+(?:\.\d+)?)$/.exec(t);
  if (!m) throw new RangeError(`Invalid window "${text}": ${USAGE}`);
  const win = { width: Number(m[1]), level: Number(m[2]) };
  if (win.width < 1) throw new RangeError(`Invalid window "${text}": width must be ≥ 1; ${USAGE}`);
  return win;
}

/** The branch limits of the linear VOI function, computed once per image. */
interface LinearVoi {
  centre: number; // c − 0.5
  span: number; // w − 1
  lower: number;
  upper: number;
}

function linearVoi(win: Window): LinearVoi {
  assertValidWindow(win);
  const centre = win.level - 0.5;
  const span = win.width - 1;
  return { centre, span, lower: centre - span / 2, upper: centre + span / 2 };
}

function mapOne(x: number, v: LinearVoi): number {
  if (x <= v.lower) return 0;
  // w = 1 makes the middle branch empty (lower == upper), so span is never 0 below.
  if (x > v.upper) return 255;
  return Math.round(((x - v.centre) / v.span + 0.5) * 255);
}

/** Maps one value (HU or 8-bit grey) to display grey 0..255 with the DICOM linear VOI function. */
export function windowValue(x: number, win: Window): number {
  return mapOne(x, linearVoi(win));
}

/** Maps a whole image to display grey 0..255 (row-major, same length as the input). */
export function applyWindow(
  pixels: Int16Array | Uint8Array | Uint8ClampedArray,
  win: Window,
  out: Uint8Array | Uint8ClampedArray = new Uint8Array(pixels.length),
): Uint8Array | Uint8ClampedArray {
  if (out.length !== pixels.length) throw new RangeError(`applyWindow: output length ${out.length} ≠ input ${pixels.length}`);
  const v = linearVoi(win);
  for (let i = 0; i < pixels.length; i++) out[i] = mapOne(pixels[i], v);
  return out;
}
