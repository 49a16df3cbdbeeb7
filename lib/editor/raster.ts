/**
 * Masks for the image tools: lesions are stored as polygons, but brush, eraser, threshold and region growing
 * edit pixels. A gesture rasterises the polygons it touches (pixel centres, as lib/imaging/contours does), edits
 * that mask and traces it back into polygons with holes (d3-contour through traceClass), so every tool's result is
 * the same kind of polygon the rest of the app stores.
 */
import { fillPolygon, traceClass, type LesionClass, type LesionPolygon, type Point } from '@/lib/imaging/contours';
import { validatePolygon } from '@/lib/annotations/polygon';

export interface Raster {
  width: number;
  height: number;
}

type Ringed = Pick<LesionPolygon, 'points' | 'holes'>;

/** 1 inside the polygons (even-odd per polygon, union over polygons), 0 elsewhere. */
export function rasterise(polygons: readonly Ringed[], { width, height }: Raster): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (const p of polygons) fillPolygon(p, width, height, mask, 1);
  return mask;
}

/**
 * The pixels a round brush of `radius` image pixels covers along a stroke: those whose centre lies within the radius
 * of the stroke's polyline. `allow` (threshold painting) keeps only the pixels it accepts.
 */
export function strokeMask(stroke: readonly Point[], radius: number, { width, height }: Raster, allow?: (index: number) => boolean): Uint8Array {
  const mask = new Uint8Array(width * height);
  const r2 = radius * radius;
  const segments: [Point, Point][] = stroke.length === 1 ? [[stroke[0], stroke[0]]] : stroke.slice(1).map((b, k) => [stroke[k], b]);
  for (const [a, b] of segments) {
    const x0 = Math.max(0, Math.floor(Math.min(a[0], b[0]) - radius));
    const x1 = Math.min(width - 1, Math.ceil(Math.max(a[0], b[0]) + radius));
    const y0 = Math.max(0, Math.floor(Math.min(a[1], b[1]) - radius));
    const y1 = Math.min(height - 1, Math.ceil(Math.max(a[1], b[1]) + radius));
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    const len2 = dx * dx + dy * dy;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const i = y * width + x;
        if (mask[i]) continue;
        const [cx, cy] = [x + 0.5, y + 0.5];
        const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((cx - a[0]) * dx + (cy - a[1]) * dy) / len2));
        const ex = cx - (a[0] + t * dx);
        const ey = cy - (a[1] + t * dy);
        if (ex * ex + ey * ey <= r2 && (!allow || allow(i))) mask[i] = 1;
      }
    }
  }
  return mask;
}

/**
 * Region growing (magic wand): the 4-connected pixels reachable from `seed` whose value differs from the seed
 * pixel's by at most `tolerance`. Empty when the seed lies outside the image.
 */
export function growRegion(values: ArrayLike<number>, { width, height }: Raster, seed: Point, tolerance: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  const sx = Math.floor(seed[0]);
  const sy = Math.floor(seed[1]);
  if (sx < 0 || sy < 0 || sx >= width || sy >= height) return mask;
  const reference = values[sy * width + sx];
  const stack = [sy * width + sx];
  mask[stack[0]] = 1;
  while (stack.length) {
    const i = stack.pop()!;
    const x = i % width;
    const neighbours = [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, i >= width ? i - width : -1, i < width * (height - 1) ? i + width : -1];
    for (const j of neighbours) {
      if (j < 0 || mask[j] || Math.abs(values[j] - reference) > tolerance) continue;
      mask[j] = 1;
      stack.push(j);
    }
  }
  return mask;
}

export const overlaps = (a: Uint8Array, b: Uint8Array) => a.some((v, i) => v !== 0 && b[i] !== 0);
export const isEmpty = (mask: Uint8Array) => !mask.some((v) => v !== 0);

/** a ∪ b into a. */
export function addMask(a: Uint8Array, b: Uint8Array): Uint8Array {
  for (let i = 0; i < a.length; i++) if (b[i]) a[i] = 1;
  return a;
}

/** a \ b into a. */
export function subtractMask(a: Uint8Array, b: Uint8Array): Uint8Array {
  for (let i = 0; i < a.length; i++) if (b[i]) a[i] = 0;
  return a;
}

/**
 * The mask's connected regions as valid polygons with holes (specks under 4 px² dropped, as at import). Outlines
 * are simplified by half a pixel; when that would make one invalid (a narrow neck crossing itself), the unsimplified
 * contour of marching squares, which is always simple, is taken instead.
 */
export function maskToPolygons(mask: Uint8Array, raster: Raster, lesionClass: LesionClass): LesionPolygon[] {
  const traced = traceClass(mask, raster.width, raster.height, 1, lesionClass);
  if (traced.every((p) => validatePolygon(p, raster.width, raster.height).ok)) return traced;
  return traceClass(mask, raster.width, raster.height, 1, lesionClass, { tolerance: 0, minArea: 4 });
}
