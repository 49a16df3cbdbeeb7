/**
 * Shape-based interpolation of a lesion between two labelled slices (Raya & Udupa 1990, as 3D Slicer and ITK-SNAP
 * fill skipped slices): each slice's mask becomes a signed distance map (negative inside), the maps are blended
 * linearly at the slice's position between them, and the blend's negative region is the lesion here. A lesion
 * growing from one slice to the other comes out in between in size and place, not as a union or a jump.
 */
import { CLASS_LABELS, type LesionClass, type Point } from '@/lib/imaging/contours';
import type { EditOp, EditorPolygon } from './document';
import { maskToPolygons, rasterise, type Raster } from './raster';

/** 3-4 chamfer weights: within 8 % of the Euclidean distance, two passes over the image. */
const [STRAIGHT, DIAGONAL] = [3, 4];

/** Chamfer distance (in pixels) of every pixel to the nearest pixel where `mask` is 1; Infinity when none is. */
function distanceTo(mask: Uint8Array, { width, height }: Raster): Float32Array {
  const d = new Float32Array(width * height);
  for (let i = 0; i < d.length; i++) d[i] = mask[i] ? 0 : Infinity;
  const relax = (i: number, j: number, w: number) => {
    if (d[j] + w < d[i]) d[i] = d[j] + w;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (x > 0) relax(i, i - 1, STRAIGHT);
      if (y > 0) {
        relax(i, i - width, STRAIGHT);
        if (x > 0) relax(i, i - width - 1, DIAGONAL);
        if (x < width - 1) relax(i, i - width + 1, DIAGONAL);
      }
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      if (x < width - 1) relax(i, i + 1, STRAIGHT);
      if (y < height - 1) {
        relax(i, i + width, STRAIGHT);
        if (x < width - 1) relax(i, i + width + 1, DIAGONAL);
        if (x > 0) relax(i, i + width - 1, DIAGONAL);
      }
    }
  }
  for (let i = 0; i < d.length; i++) d[i] /= STRAIGHT;
  return d;
}

/** Signed distance: positive outside the mask (distance to it), negative inside (distance to the outside). */
export function signedDistance(mask: Uint8Array, raster: Raster): Float32Array {
  const outside = distanceTo(mask, raster);
  const inside = distanceTo(mask.map((v) => (v ? 0 : 1)), raster);
  return outside.map((o, i) => (mask[i] ? -inside[i] : o));
}

/** The mask at fraction t (0 = at `a`, 1 = at `b`) between two masks; empty when either is (nothing to blend). */
export function interpolateMasks(a: Uint8Array, b: Uint8Array, raster: Raster, t: number): Uint8Array {
  const out = new Uint8Array(a.length);
  if (!a.some(Boolean) || !b.some(Boolean)) return out;
  const [da, db] = [signedDistance(a, raster), signedDistance(b, raster)];
  for (let i = 0; i < out.length; i++) out[i] = (1 - t) * da[i] + t * db[i] < 0 ? 1 : 0;
  return out;
}

interface SourcePolygon {
  lesionClass: LesionClass;
  points: Point[];
  holes: Point[][];
}

/**
 * The edit adding, per class, the outlines interpolated at fraction t between the polygons of the slice before
 * (`before`) and after (`after`); a class labelled on only one side is not guessed. Null when nothing results.
 */
export function interpolateOutlines(before: readonly SourcePolygon[], after: readonly SourcePolygon[], raster: Raster, t: number, newKey: () => string): EditOp | null {
  const add: EditorPolygon[] = [];
  for (const lesionClass of Object.keys(CLASS_LABELS) as LesionClass[]) {
    const mask = (ps: readonly SourcePolygon[]) => rasterise(ps.filter((p) => p.lesionClass === lesionClass), raster);
    const between = interpolateMasks(mask(before), mask(after), raster, t);
    for (const p of maskToPolygons(between, raster, lesionClass)) add.push({ key: newKey(), lesionClass, points: p.points, holes: p.holes, source: 'HUMAN' });
  }
  return add.length ? { type: 'replace', remove: [], add } : null;
}
