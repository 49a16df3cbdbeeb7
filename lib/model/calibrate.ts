/**
 * Proposal thresholds chosen on validation slices. Detection (score ≥ 0.05, mask probability > 0.5) is
 * tuned for ranking metrics (AP); what an annotator sees should instead be the outline that best matches
 * a radiologist's: per class, the score threshold and mask threshold that maximise the class's pooled Dice
 * on the validation split. One pass per (slice, mask threshold) builds, for every pixel, the highest score
 * of a detection of the class that covers it; histograms of that score inside and outside the truth then
 * give the Dice of every score threshold at once.
 */
import type { PastedRegion } from './pasteMasks';

/** A detection's pasted mask probabilities (pasteMasks.pasteMaskRegion) with its class (1-based) and score. */
export interface ScoredRegion {
  classId: number;
  score: number;
  region: PastedRegion;
}

export interface CalibrationSlice {
  width: number;
  height: number;
  regions: ScoredRegion[];
  /** Ground-truth class id per pixel (0 = background). */
  truth: Uint8Array;
}

export interface ClassThreshold {
  /** Detections scoring below this are not proposed. */
  score: number;
  /** A proposal's outline is where its mask probability exceeds this. */
  mask: number;
}

export interface CalibratedClass extends ClassThreshold {
  /** Pooled Dice on the calibration slices at these thresholds (null: the class never occurs there). */
  dice: number | null;
  /** Proposals (detections at or above `score`) on the calibration slices. */
  proposals: number;
}

export const DEFAULT_THRESHOLD: ClassThreshold = { score: 0.5, mask: 0.5 };
export const SCORE_GRID = Array.from({ length: 19 }, (_, i) => Math.round((0.05 + 0.05 * i) * 100) / 100);
export const MASK_GRID = [0.3, 0.4, 0.5, 0.6, 0.7];

/** Highest score of a `classId` detection whose mask exceeds `maskThresh` at each pixel (−1: none). */
export function maxScoreMap(slice: Pick<CalibrationSlice, 'width' | 'height' | 'regions'>, classId: number, maskThresh: number): Float32Array {
  const out = new Float32Array(slice.width * slice.height).fill(-1);
  for (const d of slice.regions) {
    if (d.classId !== classId) continue;
    const { y0, y1, x0, x1, values } = d.region;
    const rw = x1 - x0;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const o = y * slice.width + x;
        if (values[(y - y0) * rw + (x - x0)] > maskThresh && d.score > out[o]) out[o] = d.score;
      }
    }
  }
  return out;
}

/** Pooled Dice of one class at every score threshold of `scores` (ascending), for one mask threshold. */
export function diceByScoreThreshold(slices: CalibrationSlice[], classId: number, maskThresh: number, scores: number[] = SCORE_GRID): { dice: (number | null)[]; truthPixels: number } {
  const inter = new Float64Array(scores.length);
  const pred = new Float64Array(scores.length);
  let truthPixels = 0;
  for (const s of slices) {
    const best = maxScoreMap(s, classId, maskThresh);
    for (let p = 0; p < best.length; p++) {
      const isTruth = s.truth[p] === classId;
      if (isTruth) truthPixels++;
      const v = best[p];
      if (v < scores[0]) continue;
      // the highest threshold this pixel still passes
      let j = scores.length - 1;
      while (scores[j] > v) j--;
      pred[j]++;
      if (isTruth) inter[j]++;
    }
  }
  // pixels passing threshold j are those binned at j or above
  for (let j = scores.length - 2; j >= 0; j--) { inter[j] += inter[j + 1]; pred[j] += pred[j + 1]; }
  const dice = scores.map((_, j) => (truthPixels === 0 ? null : (2 * inter[j]) / (pred[j] + truthPixels)));
  return { dice, truthPixels };
}

/**
 * Per class, the (score, mask) thresholds of highest pooled Dice on the slices; ties go to the higher score
 * threshold (fewer proposals to reject for the same overlap). A class absent from the slices keeps
 * DEFAULT_THRESHOLD.
 */
export function calibrateThresholds(slices: CalibrationSlice[], classIds: number[], grid: { scores?: number[]; masks?: number[] } = {}): Map<number, CalibratedClass> {
  const scores = grid.scores ?? SCORE_GRID;
  const masks = grid.masks ?? MASK_GRID;
  const out = new Map<number, CalibratedClass>();
  for (const c of classIds) {
    let best: ClassThreshold & { dice: number | null } = { ...DEFAULT_THRESHOLD, dice: null };
    for (const m of masks) {
      const { dice } = diceByScoreThreshold(slices, c, m, scores);
      dice.forEach((d, j) => {
        if (d !== null && (best.dice === null || d > best.dice || (d === best.dice && scores[j] > best.score))) best = { score: scores[j], mask: m, dice: d };
      });
    }
    out.set(c, { ...best, proposals: countProposals(slices, c, best.score) });
  }
  return out;
}

export function countProposals(slices: Pick<CalibrationSlice, 'regions'>[], classId: number, scoreThresh: number): number {
  return slices.reduce((n, s) => n + s.regions.filter((d) => d.classId === classId && d.score >= scoreThresh).length, 0);
}
