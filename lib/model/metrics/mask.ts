/**
 * Binary instance masks for evaluation: row-major pixels, non-zero = inside. Pure functions, no tfjs.
 */

export interface BinaryMask {
  width: number;
  height: number;
  /** width·height bytes, row-major; any non-zero byte is inside the mask. */
  data: Uint8Array;
}

/** Inclusive pixel bounds of the inside; `null` for an empty mask. */
export interface MaskBounds {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function assertMask(m: BinaryMask, label = 'mask'): void {
  if (m.data.length !== m.width * m.height) {
    throw new Error(`${label}: data holds ${m.data.length} bytes but width·height = ${m.width}·${m.height}`);
  }
}

function assertSameSize(a: BinaryMask, b: BinaryMask): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new Error(`masks differ in size: ${a.width}×${a.height} vs ${b.width}×${b.height} (paste both at image size first)`);
  }
}

export function maskArea(m: BinaryMask): number {
  let n = 0;
  for (let i = 0; i < m.data.length; i++) if (m.data[i] !== 0) n++;
  return n;
}

export function maskBounds(m: BinaryMask): MaskBounds | null {
  let x0 = m.width;
  let y0 = m.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < m.height; y++) {
    const row = y * m.width;
    for (let x = 0; x < m.width; x++) {
      if (m.data[row + x] === 0) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

/** A mask with its area and bounds computed once, for many IoUs against it. */
export interface MeasuredMask {
  mask: BinaryMask;
  area: number;
  bounds: MaskBounds | null;
}

export function measureMask(mask: BinaryMask): MeasuredMask {
  assertMask(mask);
  return { mask, area: maskArea(mask), bounds: maskBounds(mask) };
}

/** Pixels inside both; only the overlap of the two bounding boxes is scanned. */
export function intersectionArea(a: MeasuredMask, b: MeasuredMask): number {
  assertSameSize(a.mask, b.mask);
  if (a.bounds == null || b.bounds == null) return 0;
  const x0 = Math.max(a.bounds.x0, b.bounds.x0);
  const x1 = Math.min(a.bounds.x1, b.bounds.x1);
  const y0 = Math.max(a.bounds.y0, b.bounds.y0);
  const y1 = Math.min(a.bounds.y1, b.bounds.y1);
  let n = 0;
  const w = a.mask.width;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = y * w + x;
      if (a.mask.data[i] !== 0 && b.mask.data[i] !== 0) n++;
    }
  }
  return n;
}

/** Intersection over union; 0 when both masks are empty (nothing to match, as in COCO). */
export function maskIoU(a: BinaryMask | MeasuredMask, b: BinaryMask | MeasuredMask): number {
  const ma = 'mask' in a ? a : measureMask(a);
  const mb = 'mask' in b ? b : measureMask(b);
  const inter = intersectionArea(ma, mb);
  const union = ma.area + mb.area - inter;
  return union === 0 ? 0 : inter / union;
}
