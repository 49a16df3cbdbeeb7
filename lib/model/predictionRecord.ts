/**
 * Predictions as plain JSON, for scoring them with other tools (`npm run predict -- --json`): one record per slice
 * with its instances (class, score, box, area, polygons), the slice-class probabilities from S and the
 * uncertainty signals; a file holds the model that made them (folder, weights checksum, classes, the proposal
 * thresholds applied) and the slices in the order they were predicted.
 *
 * Polygons follow GeoJSON's MultiPolygon layout: a list of polygons, each a list of rings of [x, y] points in
 * original-image pixels, the outer ring first and then its holes (as predict() traces them).
 */
import type { Point } from '@/lib/imaging/contours';
import type { ClassThreshold } from './calibrate';
import type { SlicePrediction } from './predict';

export interface InstanceRecord {
  class: string;
  score: number;
  /** [x1, y1, x2, y2], original-image pixels. */
  box: [number, number, number, number];
  /** Pixels of the thresholded mask. */
  area: number;
  /** Per connected region: [outer ring, ...holes]. */
  polygons: Point[][][];
}

export interface SliceRecord {
  file: string;
  width: number;
  height: number;
  instances: InstanceRecord[];
  /** Class name → probability, when a classifier S made the prediction; null otherwise. */
  sliceProbabilities: Record<string, number> | null;
  uncertainty: SlicePrediction['uncertainty'];
}

export interface ModelRecord {
  dir: string;
  /** SHA-256 of the model's weights (its manifest). */
  sha256: string;
  /** The segmenter's lesion classes. */
  classNames: string[];
  /** The proposal thresholds the predictions were made with, per class. */
  thresholds: Record<string, ClassThreshold>;
}

export interface PredictionsFile {
  model: ModelRecord;
  slices: SliceRecord[];
}

/** Rounds to `digits` decimals (JSON stays readable; a float32 score carries no more than about 7 digits). */
const round = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/** The JSON record of one slice's prediction; `file` is how the caller names the image. */
export function sliceRecord(file: string, p: SlicePrediction): SliceRecord {
  return {
    file,
    width: p.width,
    height: p.height,
    instances: p.instances.map((d) => ({
      class: d.class,
      score: round(d.score, 6),
      box: d.box.map((v) => round(v, 2)) as InstanceRecord['box'],
      area: d.area,
      polygons: d.polygon.map((poly) => [poly.points, ...poly.holes]),
    })),
    sliceProbabilities: p.sliceProbabilities ? Object.fromEntries(Object.entries(p.sliceProbabilities).map(([c, v]) => [c, round(v, 6)])) : null,
    uncertainty: Object.fromEntries(Object.entries(p.uncertainty).filter(([, v]) => typeof v === 'number').map(([k, v]) => [k, round(v!, 6)])) as SliceRecord['uncertainty'],
  };
}
