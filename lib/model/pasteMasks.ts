/**
 * torchvision paste_masks_in_image (padding 1): put each detection's M×M mask probabilities into a
 * full-size image.
 *
 *   PASTE_PADDING = 1                        — torchvision's fixed padding (the threshold is the config's maskThresh)
 *   expandBoxes(boxes, scale): Boxes          — each box scaled about its centre (float32)
 *   pasteMasksInImage(masks [K*M*M], boxes [K*4], [H, W], padding?): Float32Array [K*H*W]
 *        pad the mask by `padding` zeros, expand the box by (M+2p)/M, truncate it to integers toward zero,
 *        resize the padded mask bilinearly (half-pixel centres, no antialias) to the box's inclusive
 *        size, write it at the box's top-left corner clipped to the image
 *   pasteMaskRegion(mask [M*M], box, [H, W], padding?): { y0, y1, x0, x1, values } — one mask, only the
 *        pasted region (K full-size images cost K·H·W floats: 136 MB for 100 detections at 511×666)
 *   thresholdMasks(probabilities, threshold): Uint8Array — 1 where p > threshold
 */
import { boxCount, type Boxes } from './boxOps';

export const PASTE_PADDING = 1;

const f = Math.fround;

export function expandBoxes(boxes: Boxes, scale: number): Boxes {
  const s = f(scale);
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    const wHalf = f(f(f(boxes[i + 2] - boxes[i]) * 0.5) * s);
    const hHalf = f(f(f(boxes[i + 3] - boxes[i + 1]) * 0.5) * s);
    const xc = f(f(boxes[i + 2] + boxes[i]) * 0.5);
    const yc = f(f(boxes[i + 3] + boxes[i + 1]) * 0.5);
    out.set([xc - wHalf, yc - hHalf, xc + wHalf, yc + hHalf], i);
  }
  return out;
}

/** The part of one pasted mask that lies inside the image: rows [y0, y1) × columns [x0, x1). */
export interface PastedRegion {
  y0: number;
  y1: number;
  x0: number;
  x1: number;
  /** (y1 − y0) × (x1 − x0) probabilities, row-major; empty when the box lies outside the image. */
  values: Float32Array;
}

/** One M×M mask pasted as pasteMasksInImage does, keeping only its region (no full-size image). */
export function pasteMaskRegion(
  mask: Float32Array,
  box: ArrayLike<number>,
  [imageH, imageW]: readonly [number, number],
  padding: number = PASTE_PADDING,
): PastedRegion {
  const m = Math.round(Math.sqrt(mask.length));
  if (m * m !== mask.length || m === 0) throw new Error(`pasteMaskRegion: ${mask.length} values are not a square mask`);
  const [x1, y1, x2, y2] = Array.from(expandBoxes(Float32Array.from(box), (m + 2 * padding) / m), Math.trunc);
  const h = Math.max(y2 - y1 + 1, 1);
  const w = Math.max(x2 - x1 + 1, 1);
  const y0 = Math.max(y1, 0);
  const x0 = Math.max(x1, 0);
  const ye = Math.max(Math.min(y2 + 1, imageH), y0);
  const xe = Math.max(Math.min(x2 + 1, imageW), x0);
  const values = new Float32Array((ye - y0) * (xe - x0));
  if (values.length === 0) return { y0, y1: ye, x0, x1: xe, values };
  const p = m + 2 * padding;
  const padded = new Float32Array(p * p);
  for (let y = 0; y < m; y++) padded.set(mask.subarray(y * m, (y + 1) * m), (y + padding) * p + padding);
  // only the rows and columns of the box that lie inside the image
  const rows = bilinearTaps(p, h, y0 - y1, ye - y1);
  const cols = bilinearTaps(p, w, x0 - x1, xe - x1);
  const rw = xe - x0;
  for (let r = 0; r < ye - y0; r++) {
    const top = rows.lo[r] * p, bottom = rows.hi[r] * p, fy = rows.frac[r];
    for (let c = 0; c < rw; c++) {
      const lo = cols.lo[c], hi = cols.hi[c], fx = cols.frac[c];
      const t = padded[top + lo] + (padded[top + hi] - padded[top + lo]) * fx;
      const b = padded[bottom + lo] + (padded[bottom + hi] - padded[bottom + lo]) * fx;
      values[r * rw + c] = t + (b - t) * fy;
    }
  }
  return { y0, y1: ye, x0, x1: xe, values };
}

/**
 * Source pixels and weights of output indices [from, to) when resizing `inSize` → `outSize` as
 * tf.image.resizeBilinear with half-pixel centres and no antialias (torch's F.interpolate, align_corners=False):
 * src = (i + 0.5)·in/out − 0.5, floor clamped at 0, ceil at in − 1. In JS rather than a tf op per detection:
 * 100 detections took 0.6–3.9 s through tf (wasm, a loaded 2-core machine), most of a slice's prediction.
 */
function bilinearTaps(inSize: number, outSize: number, from: number, to: number) {
  const n = to - from;
  const lo = new Int32Array(n), hi = new Int32Array(n), frac = new Float32Array(n);
  const ratio = inSize / outSize;
  for (let k = 0; k < n; k++) {
    const src = ratio * (from + k + 0.5) - 0.5;
    lo[k] = Math.max(0, Math.floor(src));
    hi[k] = Math.min(inSize - 1, Math.ceil(src));
    frac[k] = src - lo[k];
  }
  return { lo, hi, frac };
}

export function pasteMasksInImage(
  masks: Float32Array,
  boxes: Boxes,
  [imageH, imageW]: readonly [number, number],
  padding: number = PASTE_PADDING,
): Float32Array {
  const k = boxCount(boxes);
  const out = new Float32Array(k * imageH * imageW);
  if (k === 0) return out;
  const mm = masks.length / k;
  if (!Number.isInteger(mm)) throw new Error(`pasteMasksInImage: ${masks.length} values are not ${k} masks`);
  for (let i = 0; i < k; i++) {
    const r = pasteMaskRegion(masks.subarray(i * mm, (i + 1) * mm), boxes.subarray(4 * i, 4 * i + 4), [imageH, imageW], padding);
    const rw = r.x1 - r.x0;
    for (let y = r.y0; y < r.y1; y++) out.set(r.values.subarray((y - r.y0) * rw, (y - r.y0 + 1) * rw), i * imageH * imageW + y * imageW + r.x0);
  }
  return out;
}

export function thresholdMasks(probabilities: Float32Array, threshold: number): Uint8Array {
  const out = new Uint8Array(probabilities.length);
  for (let i = 0; i < probabilities.length; i++) out[i] = probabilities[i] > threshold ? 1 : 0;
  return out;
}
