/**
 * Dice between predicted and ground-truth class label maps (one class id per pixel, 0 = background).
 *
 * Two aggregations, which differ when lesions vary in size:
 * - `pooled`: 2·Σ|P∩G| / (Σ|P| + Σ|G|) with the sums over every pixel of the dataset (large lesions weigh more);
 * - `meanOverSlices`: the mean over slices of each slice's Dice (every slice weighs the same).
 * Convention: a class absent from both prediction and ground truth scores 1 (nothing to find, nothing
 * claimed), for a slice and for the pooled sum alike.
 */

export interface LabelMap {
  width: number;
  height: number;
  /** width·height class ids, row-major. */
  data: Uint8Array;
}

export interface ClassDice {
  classId: number;
  pooled: number;
  meanOverSlices: number;
  /** Σ|P∩G|, Σ|P|, Σ|G| in pixels, for pooling further (e.g. across folds). */
  intersection: number;
  predicted: number;
  groundTruth: number;
}

export interface DiceResult {
  perClass: ClassDice[];
  /** Means over the requested classes. */
  meanPooled: number;
  meanOverSlices: number;
}

/** Dice from counts; empty vs empty = 1 (see the module comment). */
export function diceFromCounts(intersection: number, predicted: number, groundTruth: number): number {
  const total = predicted + groundTruth;
  return total === 0 ? 1 : (2 * intersection) / total;
}

/** Per-class pixel counts of one slice: [intersection, predicted, groundTruth] for each class. */
function sliceCounts(pred: LabelMap, gt: LabelMap, classes: number[]): [number, number, number][] {
  if (pred.width !== gt.width || pred.height !== gt.height) {
    throw new Error(`label maps differ in size: predicted ${pred.width}×${pred.height}, ground truth ${gt.width}×${gt.height}`);
  }
  if (pred.data.length !== pred.width * pred.height || gt.data.length !== gt.width * gt.height) {
    throw new Error('label map data length is not width·height');
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  const counts = classes.map((): [number, number, number] => [0, 0, 0]);
  for (let i = 0; i < pred.data.length; i++) {
    const p = index.get(pred.data[i]);
    const g = index.get(gt.data[i]);
    if (p !== undefined) counts[p][1]++;
    if (g !== undefined) counts[g][2]++;
    if (p !== undefined && p === g) counts[p][0]++;
  }
  return counts;
}

/**
 * Dice per class over a dataset of slices (`predicted[i]` pairs with `groundTruth[i]`).
 * `classes` are the foreground ids to score (e.g. [1, 2] for GGO and consolidation).
 */
export function dicePerClass(predicted: LabelMap[], groundTruth: LabelMap[], classes: number[]): DiceResult {
  if (predicted.length !== groundTruth.length) {
    throw new Error(`dicePerClass: ${predicted.length} predicted maps but ${groundTruth.length} ground-truth maps`);
  }
  if (predicted.length === 0) throw new Error('dicePerClass: no slices to score');
  if (classes.length === 0) throw new Error('dicePerClass: no classes to score (pass the foreground class ids)');
  const sums = classes.map(() => ({ inter: 0, pred: 0, gt: 0, sliceDiceSum: 0 }));
  predicted.forEach((pred, s) => {
    sliceCounts(pred, groundTruth[s], classes).forEach(([inter, p, g], c) => {
      sums[c].inter += inter;
      sums[c].pred += p;
      sums[c].gt += g;
      sums[c].sliceDiceSum += diceFromCounts(inter, p, g);
    });
  });
  const perClass = classes.map(
    (classId, c): ClassDice => ({
      classId,
      pooled: diceFromCounts(sums[c].inter, sums[c].pred, sums[c].gt),
      meanOverSlices: sums[c].sliceDiceSum / predicted.length,
      intersection: sums[c].inter,
      predicted: sums[c].pred,
      groundTruth: sums[c].gt,
    }),
  );
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    perClass,
    meanPooled: avg(perClass.map((c) => c.pooled)),
    meanOverSlices: avg(perClass.map((c) => c.meanOverSlices)),
  };
}
