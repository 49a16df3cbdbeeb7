/**
 * Correction effort: how far the final, accepted polygons are from the model's proposal, per class. IoU and Dice
 * are computed on the rasterised label maps (the same pixels the model is trained and evaluated on). A class absent
 * from both is reported as null rather than a perfect score, so averages are not inflated by empty classes.
 */
import { labelOverlap, polygonsToLabelMap, type LesionClass, type LesionPolygon, type Overlap } from '@/lib/imaging/contours';

export type PerClassOverlap = Record<LesionClass, Overlap | null>;

export const LESION_CLASSES: LesionClass[] = ['GGO', 'C'];

export function polygonOverlap(first: Pick<LesionPolygon, 'lesionClass' | 'points' | 'holes'>[], second: Pick<LesionPolygon, 'lesionClass' | 'points' | 'holes'>[], width: number, height: number): PerClassOverlap {
  const a = polygonsToLabelMap(first, width, height);
  const b = polygonsToLabelMap(second, width, height);
  return { GGO: labelOverlap(a, b, 1), C: labelOverlap(a, b, 2) };
}
