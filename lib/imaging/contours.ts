/**
 * Label map ⇄ lesion polygons.
 *
 * Coordinates are image pixels with pixel (x, y) covering [x, x+1] × [y, y+1], so its centre is (x + 0.5, y + 0.5)
 * — the same frame d3-contour uses and the editor draws in.
 *
 * labelMapToPolygons: per class, marching squares (d3-contour, threshold 0.5 on the class's binary mask, no
 * smoothing) gives rings through the midpoints of the edges between inside and outside pixel centres, grouped as
 * outer ring + holes; each ring is simplified (Douglas–Peucker, simplify-js) and components/holes with an area
 * below `minArea` px² are dropped (specks from anti-aliasing or arrows in figure-derived masks).
 *
 * polygonsToLabelMap: even-odd scanline fill sampled at pixel centres, outer ring and holes together (so holes are
 * subtracted); polygons of one class are unioned; consolidation is painted after GGO so C wins where simplified
 * boundaries overlap.
 */
import { contours } from 'd3-contour';
import simplify from 'simplify-js';

export type LesionClass = 'GGO' | 'C';
export type Point = [number, number];

export interface LesionPolygon {
  lesionClass: LesionClass;
  /** Outer ring, not closed (last point ≠ first). */
  points: Point[];
  /** Inner rings (holes), not closed. */
  holes: Point[][];
}

export interface ContourOptions {
  /** Douglas–Peucker tolerance in pixels. */
  tolerance: number;
  /** Outer rings and holes with a smaller area (px²) are dropped. */
  minArea: number;
}

/**
 * Defaults chosen on the 50 MedSeg masks (contours.test.ts prints the round-trip IoU): a 0.5 px tolerance turns
 * pixel staircases into straight edges with about a fifth of the raw contour's vertices at a mean IoU ≈ 0.99
 * (0.7 px already costs ~1 point of IoU on consolidation); minArea 4 px² drops specks of up to about 4 pixels
 * (a lone pixel's ring encloses 0.5 px², a 2×2 block's 3.5 px²).
 */
export const DEFAULT_CONTOUR_OPTIONS: ContourOptions = { tolerance: 0.5, minArea: 4 };

/** The label values of a class map: 1 GGO, 2 C in 'classes' masks. */
export const CLASS_LABELS: Readonly<Record<LesionClass, number>> = { GGO: 1, C: 2 };

/** Painting order for rasterisation: later wins. */
const PAINT_ORDER: LesionClass[] = ['GGO', 'C'];

/** Signed shoelace area of a ring (open or closed); its absolute value is the enclosed area in px². */
export function ringArea(ring: readonly Point[]): number {
  let twice = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) twice += ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
  return twice / 2;
}

function simplifyRing(ring: Point[], tolerance: number): Point[] {
  // d3-contour closes rings (last = first); simplify keeps both ends, so the closing point stays fixed.
  const open = ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1] ? ring.slice(0, -1) : ring;
  if (tolerance <= 0 || open.length <= 4) return open.map(([x, y]) => [x, y]);
  const closed = [...open, open[0]].map(([x, y]) => ({ x, y }));
  const out = simplify(closed, tolerance, true).map((p) => [p.x, p.y] as Point);
  out.pop(); // drop the repeated closing point again
  return out.length >= 3 ? out : open.map(([x, y]) => [x, y]);
}

/**
 * Traces the pixels of `labels` equal to `label` into polygons of class `lesionClass`.
 * `labels` is row-major width × height.
 */
export function traceClass(
  labels: Uint8Array,
  width: number,
  height: number,
  label: number,
  lesionClass: LesionClass,
  options: ContourOptions = DEFAULT_CONTOUR_OPTIONS,
): LesionPolygon[] {
  if (labels.length !== width * height) throw new RangeError(`label map length ${labels.length} ≠ ${width}×${height}`);
  const binary = new Uint8Array(labels.length);
  let any = false;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === label) {
      binary[i] = 1;
      any = true;
    }
  }
  if (!any) return [];
  // d3-contour only indexes `values`, so a typed array serves (its types say number[]).
  const [multi] = contours().size([width, height]).thresholds([0.5]).smooth(false)(binary as unknown as number[]);
  const out: LesionPolygon[] = [];
  for (const [outer, ...holes] of multi.coordinates as Point[][][]) {
    const points = simplifyRing(outer, options.tolerance);
    if (Math.abs(ringArea(points)) < options.minArea) continue;
    const keptHoles = holes.map((h) => simplifyRing(h, options.tolerance)).filter((h) => Math.abs(ringArea(h)) >= options.minArea);
    out.push({ lesionClass, points, holes: keptHoles });
  }
  return out;
}

/** Polygons of every class in a label map (`classOf` says which label value is which class). */
export function labelMapToPolygons(
  labels: Uint8Array,
  width: number,
  height: number,
  classOf: Partial<Record<number, LesionClass>> = { 1: 'GGO', 2: 'C' },
  options: ContourOptions = DEFAULT_CONTOUR_OPTIONS,
): LesionPolygon[] {
  const out: LesionPolygon[] = [];
  for (const [label, lesionClass] of Object.entries(classOf)) {
    if (lesionClass) out.push(...traceClass(labels, width, height, Number(label), lesionClass, options));
  }
  return out;
}

/**
 * Sets `out[i] = value` for every pixel whose centre lies inside the polygon (even-odd over outer ring and holes).
 * Pixels outside every ring keep their value.
 */
export function fillPolygon(polygon: Pick<LesionPolygon, 'points' | 'holes'>, width: number, height: number, out: Uint8Array, value: number): void {
  const rings = [polygon.points, ...polygon.holes].filter((r) => r.length >= 3);
  if (rings.length === 0) return;
  // Edges as flat arrays; only rows within the polygon's vertical extent are scanned.
  const ex0: number[] = [];
  const ey0: number[] = [];
  const ex1: number[] = [];
  const ey1: number[] = [];
  let minY = Infinity;
  let maxY = -Infinity;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      ex0.push(ring[j][0]);
      ey0.push(ring[j][1]);
      ex1.push(ring[i][0]);
      ey1.push(ring[i][1]);
      minY = Math.min(minY, ring[i][1]);
      maxY = Math.max(maxY, ring[i][1]);
    }
  }
  const rowStart = Math.max(0, Math.floor(minY - 0.5));
  const rowEnd = Math.min(height - 1, Math.ceil(maxY - 0.5));
  const xs: number[] = [];
  for (let y = rowStart; y <= rowEnd; y++) {
    const cy = y + 0.5;
    xs.length = 0;
    for (let e = 0; e < ex0.length; e++) {
      // Half-open rule: an edge counts when exactly one end is at or below the scan line, so shared vertices
      // are counted once and horizontal edges never.
      if (ey0[e] <= cy !== ey1[e] <= cy) xs.push(ex0[e] + ((cy - ey0[e]) * (ex1[e] - ex0[e])) / (ey1[e] - ey0[e]));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // Pixel x is inside when its centre x + 0.5 lies in [xs[k], xs[k+1]).
      const from = Math.max(0, Math.ceil(xs[k] - 0.5));
      const to = Math.min(width - 1, Math.ceil(xs[k + 1] - 0.5) - 1);
      for (let x = from; x <= to; x++) out[y * width + x] = value;
    }
  }
}

/** Rasterises polygons into a label map (0 background, `labelOf[class]` inside), GGO first, then C. */
export function polygonsToLabelMap(
  polygons: readonly Pick<LesionPolygon, 'lesionClass' | 'points' | 'holes'>[],
  width: number,
  height: number,
  labelOf: Readonly<Record<LesionClass, number>> = CLASS_LABELS,
): Uint8Array {
  const out = new Uint8Array(width * height);
  for (const cls of PAINT_ORDER) {
    for (const p of polygons) if (p.lesionClass === cls) fillPolygon(p, width, height, out, labelOf[cls]);
  }
  return out;
}

export interface Overlap {
  iou: number;
  dice: number;
}

/** IoU and Dice of the pixels equal to `label` in two label maps; null when neither has any. */
export function labelOverlap(a: Uint8Array, b: Uint8Array, label: number): Overlap | null {
  if (a.length !== b.length) throw new RangeError(`label maps differ in length: ${a.length} vs ${b.length}`);
  let inter = 0;
  let areaA = 0;
  let areaB = 0;
  for (let i = 0; i < a.length; i++) {
    const ia = a[i] === label;
    const ib = b[i] === label;
    if (ia) areaA++;
    if (ib) areaB++;
    if (ia && ib) inter++;
  }
  if (areaA + areaB === 0) return null;
  return { iou: inter / (areaA + areaB - inter), dice: (2 * inter) / (areaA + areaB) };
}

/** Intersection over union of the pixels equal to `label` in two label maps; 1 when both have none. */
export function labelIoU(a: Uint8Array, b: Uint8Array, label: number): number {
  return labelOverlap(a, b, label)?.iou ?? 1;
}
