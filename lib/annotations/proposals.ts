/**
 * What the model proposes to an annotator: the connected regions of each class in the predicted label map, not
 * the raw detections. Overlapping detections of one lesion (dozens at a low calibrated score threshold) become one
 * outline, as a radiologist would draw it, and the proposals cover exactly the pixels the thresholds were calibrated
 * on (lib/model/calibrate.ts maximises the Dice of that label map). Each region carries the best score of the
 * detections it is made of.
 */
import { fillPolygon, labelMapToPolygons, type LesionClass } from '@/lib/imaging/contours';
import { validatePolygon } from './polygon';

export interface PredictedMaps {
  /** 0 background, k = classNames[k-1]. */
  labelMap: Uint8Array;
  /** Score of the detection each labelled pixel comes from. */
  scoreMap: Float32Array;
  width: number;
  height: number;
}

export interface Proposal {
  lesionClass: LesionClass;
  points: [number, number][];
  holes: [number, number][][];
  score: number;
}

/** The annotation class a model class proposes as: a merged-lesion model proposes GGO (the schema has no lesion class). */
const annotationClass = (className: string): LesionClass => (className === 'C' ? 'C' : 'GGO');

export function regionProposals(p: PredictedMaps, classNames: readonly string[]): Proposal[] {
  const { width, height } = p;
  const out: Proposal[] = [];
  const inside = new Uint8Array(width * height);
  classNames.forEach((name, k) => {
    for (const region of labelMapToPolygons(p.labelMap, width, height, { [k + 1]: annotationClass(name) })) {
      const valid = validatePolygon(region, width, height);
      if (!valid.ok) continue;
      // the best detection score under the region's outline (only its bounding box is painted and read)
      const xs = valid.polygon.points.map(([x]) => x), ys = valid.polygon.points.map(([, y]) => y);
      const [x0, x1] = [Math.max(0, Math.floor(Math.min(...xs))), Math.min(width, Math.ceil(Math.max(...xs)))];
      const [y0, y1] = [Math.max(0, Math.floor(Math.min(...ys))), Math.min(height, Math.ceil(Math.max(...ys)))];
      fillPolygon(valid.polygon, width, height, inside, 1);
      let score = 0;
      for (let y = y0; y < y1; y++) {
        for (let i = y * width + x0; i < y * width + x1; i++) {
          if (inside[i] && p.labelMap[i] === k + 1 && p.scoreMap[i] > score) score = p.scoreMap[i];
          inside[i] = 0;
        }
      }
      if (score > 0) out.push({ lesionClass: region.lesionClass, points: valid.polygon.points as [number, number][], holes: valid.polygon.holes as [number, number][][], score });
    }
  });
  return out.sort((a, b) => b.score - a.score);
}
