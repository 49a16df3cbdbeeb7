/**
 * Label-mask PNGs → a label map.
 *
 * Two kinds of mask are recognised:
 * - 'classes': a palette (indexed) PNG whose INDEX is the label — 0 background, 1 GGO, 2 consolidation — whatever
 *   colours the palette gives them (MedSeg). A greyscale PNG whose largest value is 1 or 2 is read the same way.
 * - 'merged': a binary mask, 0 = background and 255 (any value ≥ 128) = lesion, GGO and consolidation not told apart
 *   (Zenodo lesion masks). Labels become 0/1.
 * RGB(A) masks are accepted only when grey (R = G = B); alpha is ignored. Read with fast-png, which returns palette
 * indices untouched (a colour-converting decoder would lose them).
 */
import fs from 'node:fs/promises';
import { decode, type DecodedPng } from 'fast-png';
import { asImportError, ImportError } from './importError';

export type MaskMode = 'classes' | 'merged';

export interface LabelMask {
  file: string;
  width: number;
  height: number;
  /** Row-major labels: 0/1/2 (background/GGO/C) in 'classes' mode, 0/1 (background/lesion) in 'merged' mode. */
  labels: Uint8Array;
  mode: MaskMode;
}

export const MASK_LABEL = { background: 0, GGO: 1, C: 2, lesion: 1 } as const;

export async function readLabelMask(file: string): Promise<LabelMask> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw asImportError(file, err, 'cannot read file');
  }
  let png: DecodedPng;
  try {
    png = decode(bytes);
  } catch (err) {
    throw asImportError(file, err, 'not a readable PNG mask (masks must be PNG: palette/index or binary 0/255)');
  }
  return labelMaskFromPng(png, file);
}

export function labelMaskFromPng(png: DecodedPng, file: string): LabelMask {
  const { width, height, channels } = png;
  const n = width * height;
  const data = png.depth < 8 ? unpackBits(png) : png.data;
  if (data.length < n * channels) throw new ImportError(file, 'truncated PNG mask data');

  if (png.palette) {
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = data[i];
      if (v > 2) throw new ImportError(file, `palette index ${v} at pixel (${i % width}, ${Math.floor(i / width)}): label masks use 0 background, 1 GGO, 2 consolidation`);
      labels[i] = v;
    }
    return { file, width, height, labels, mode: 'classes' };
  }

  // Greyscale (or grey RGB): first sample of each pixel, scaled to 8 bits for 16-bit PNGs.
  const grey = new Uint16Array(n);
  const colourChannels = channels >= 3 ? 3 : 1;
  const shift = png.depth === 16 ? 8 : 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i * channels];
    for (let c = 1; c < colourChannels; c++) {
      if (data[i * channels + c] !== v) {
        throw new ImportError(file, 'colour mask: use a palette/index PNG (0 background, 1 GGO, 2 C) or a binary 0/255 PNG');
      }
    }
    const g = png.depth < 8 ? Math.round((v * 255) / (2 ** png.depth - 1)) : v >> shift;
    grey[i] = g;
    if (g > max) max = g;
  }
  const labels = new Uint8Array(n);
  // Values 1..2 are label indices saved as grey; an all-zero grey mask is read as an (empty) binary mask.
  if (max >= 1 && max <= 2 && png.depth >= 8) {
    labels.set(grey);
    return { file, width, height, labels, mode: 'classes' };
  }
  for (let i = 0; i < n; i++) labels[i] = grey[i] >= 128 ? 1 : 0;
  return { file, width, height, labels, mode: 'merged' };
}

/** fast-png leaves 1/2/4-bit samples packed, rows padded to whole bytes; spread them to one sample per byte. */
function unpackBits(png: DecodedPng): Uint8Array {
  const { width, height, channels, depth } = png;
  const perRow = width * channels;
  const stride = Math.ceil((perRow * depth) / 8);
  const out = new Uint8Array(perRow * height);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let s = 0; s < perRow; s++) {
      const bit = s * depth;
      const byte = png.data[y * stride + (bit >> 3)];
      out[y * perRow + s] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}
