/**
 * Training augmentation on a grey slice and its label map, driven by a seeded RNG: horizontal and
 * vertical flips (MedSeg slices come rotated, so both orientations occur) and a small intensity jitter
 * (contrast ±10 %, brightness ±0.05 on the [0,1] scale). Geometry-changing steps apply to both arrays.
 */
import type { Rng } from '../random';

export interface GreySlice {
  height: number;
  width: number;
  /** Grey values in [0, 1], row-major. */
  pixels: Float32Array;
}

export function flipHorizontal<T extends Float32Array | Uint8Array>(a: T, height: number, width: number): T {
  const out = new (a.constructor as new (n: number) => T)(a.length);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = a[y * width + (width - 1 - x)];
  return out;
}

export function flipVertical<T extends Float32Array | Uint8Array>(a: T, height: number, width: number): T {
  const out = new (a.constructor as new (n: number) => T)(a.length);
  for (let y = 0; y < height; y++) out.set(a.subarray((height - 1 - y) * width, (height - y) * width), y * width);
  return out;
}

export function augment(image: GreySlice, labels: Uint8Array, rng: Rng): { image: GreySlice; labels: Uint8Array } {
  const { height, width } = image;
  let px = image.pixels;
  let lb = labels;
  if (rng.next() < 0.5) { px = flipHorizontal(px, height, width); lb = flipHorizontal(lb, height, width); }
  if (rng.next() < 0.5) { px = flipVertical(px, height, width); lb = flipVertical(lb, height, width); }
  const contrast = 1 + (rng.next() * 2 - 1) * 0.1;
  const brightness = (rng.next() * 2 - 1) * 0.05;
  const out = new Float32Array(px.length);
  for (let i = 0; i < px.length; i++) out[i] = Math.min(1, Math.max(0, (px[i] - 0.5) * contrast + 0.5 + brightness));
  return { image: { height, width, pixels: out }, labels: lb };
}
