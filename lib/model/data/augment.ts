/**
 * Training augmentation on a grey slice and its label map, driven by a seeded RNG, for fine-tuning on tens
 * of slices (model-spec "Training from scratch on little data"):
 *   - geometry, applied to image and labels together: horizontal and vertical flips (MedSeg slices come
 *     rotated and some Zenodo volumes upside down, so every orientation occurs), then one random affine —
 *     rotation (±rotateDeg) and isotropic scale (scale range) about the centre — sampled bilinearly for the
 *     image and by nearest neighbour for the labels (classes never blend); outside the slice is air (0);
 *   - intensity: gamma, contrast and brightness jitter and a little Gaussian noise, so the model leans
 *     less on the exact windowing of one source (8-bit JPEG, CLAHE PNG, HU windowed by the app).
 */
import { z } from 'zod';
import type { Rng } from '../random';

export interface GreySlice {
  height: number;
  width: number;
  /** Grey values in [0, 1], row-major. */
  pixels: Float32Array;
}

export const augmentSpecSchema = z.object({
  flips: z.boolean(),
  /** Maximum rotation either way, degrees. */
  rotateDeg: z.number().min(0).max(180),
  /** Isotropic scale drawn log-uniformly in [min, max]. */
  scale: z.tuple([z.number().positive(), z.number().positive()]),
  /** Gamma drawn log-uniformly in [1/g, g]. */
  gamma: z.number().min(1),
  /** Contrast factor 1 ± contrast about mid-grey. */
  contrast: z.number().min(0).max(1),
  /** Added brightness ± brightness. */
  brightness: z.number().min(0).max(1),
  /** Standard deviation of added Gaussian noise. */
  noiseStd: z.number().min(0).max(1),
});
export type AugmentSpec = z.infer<typeof augmentSpecSchema>;

/** Chosen on the development splits (see models/base/README.md). */
export const DEFAULT_AUGMENT: AugmentSpec = { flips: true, rotateDeg: 12, scale: [0.85, 1.2], gamma: 1.3, contrast: 0.15, brightness: 0.06, noiseStd: 0.015 };
/** What augmentation meant before geometric jitter: flips and a small intensity jitter. */
export const FLIPS_ONLY: AugmentSpec = { flips: true, rotateDeg: 0, scale: [1, 1], gamma: 1, contrast: 0.1, brightness: 0.05, noiseStd: 0 };

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

/**
 * Rotation by `angle` (radians) and scale `s` about the slice centre, same output size. Each output pixel
 * reads the input at the inverse-mapped position: bilinear for the image, nearest for the labels.
 */
export function affineAboutCentre(image: GreySlice, labels: Uint8Array, angle: number, s: number): { image: GreySlice; labels: Uint8Array } {
  const { height: h, width: w, pixels } = image;
  const cx = (w - 1) / 2, cy = (h - 1) / 2;
  const cos = Math.cos(angle) / s, sin = Math.sin(angle) / s;
  const out = new Float32Array(w * h);
  const outLabels = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = x - cx, dy = y - cy;
      const sx = cos * dx + sin * dy + cx;
      const sy = -sin * dx + cos * dy + cy;
      const o = y * w + x;
      const nx = Math.round(sx), ny = Math.round(sy);
      if (nx >= 0 && nx < w && ny >= 0 && ny < h) outLabels[o] = labels[ny * w + nx];
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      if (x0 < -1 || x0 >= w || y0 < -1 || y0 >= h) continue;
      const fx = sx - x0, fy = sy - y0;
      const at = (xx: number, yy: number) => (xx >= 0 && xx < w && yy >= 0 && yy < h ? pixels[yy * w + xx] : 0);
      out[o] = (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) + fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
    }
  }
  return { image: { height: h, width: w, pixels: out }, labels: outLabels };
}

const logUniform = (rng: Rng, lo: number, hi: number) => Math.exp(Math.log(lo) + rng.next() * (Math.log(hi) - Math.log(lo)));

export function augment(image: GreySlice, labels: Uint8Array, rng: Rng, spec: AugmentSpec = DEFAULT_AUGMENT): { image: GreySlice; labels: Uint8Array } {
  const { height, width } = image;
  let img = image;
  let lb = labels;
  if (spec.flips && rng.next() < 0.5) { img = { height, width, pixels: flipHorizontal(img.pixels, height, width) }; lb = flipHorizontal(lb, height, width); }
  if (spec.flips && rng.next() < 0.5) { img = { height, width, pixels: flipVertical(img.pixels, height, width) }; lb = flipVertical(lb, height, width); }
  if (spec.rotateDeg > 0 || spec.scale[0] !== 1 || spec.scale[1] !== 1) {
    const angle = ((rng.next() * 2 - 1) * spec.rotateDeg * Math.PI) / 180;
    const s = logUniform(rng, spec.scale[0], spec.scale[1]);
    ({ image: img, labels: lb } = affineAboutCentre(img, lb, angle, s));
  }
  const gamma = spec.gamma > 1 ? logUniform(rng, 1 / spec.gamma, spec.gamma) : 1;
  const contrast = 1 + (rng.next() * 2 - 1) * spec.contrast;
  const brightness = (rng.next() * 2 - 1) * spec.brightness;
  const px = img.pixels;
  const out = new Float32Array(px.length);
  for (let i = 0; i < px.length; i++) {
    const v = (Math.pow(Math.max(0, px[i]), gamma) - 0.5) * contrast + 0.5 + brightness + (spec.noiseStd > 0 ? spec.noiseStd * rng.normal() : 0);
    out[i] = Math.min(1, Math.max(0, v));
  }
  return { image: { height, width, pixels: out }, labels: lb };
}
