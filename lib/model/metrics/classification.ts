/**
 * Image-level classification metrics as the paper defines them (COVID-CT-Mask-Net, "Evaluation"):
 *   Sensitivity(C) = TP(C) / (TP(C) + FN(C)),  Precision(C) = TP(C) / (TP(C) + FP(C)),
 *   Overall accuracy = Σ_C TP(C) / Σ_C (TP(C) + FN(C)) = Σ_C TP(C) / N.
 * The confusion matrix has rows = true class, columns = predicted class.
 */

/** The paper's three classes (COVIDx-CT label order). */
export const PAPER_CLASSES = ['Control', 'Common pneumonia', 'COVID-19'] as const;

export interface ClassScores<C> {
  label: C;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** null when the class never occurs in the truth (0/0). */
  sensitivity: number | null;
  /** null when the class is never predicted (0/0). */
  precision: number | null;
}

export interface ClassificationResult<C> {
  classes: readonly C[];
  /** confusion[t][p] = images of true class t predicted as p. */
  confusion: number[][];
  perClass: ClassScores<C>[];
  overallAccuracy: number;
  n: number;
}

export function confusionMatrix<C>(truth: readonly C[], predicted: readonly C[], classes: readonly C[]): number[][] {
  if (truth.length !== predicted.length) {
    throw new Error(`confusionMatrix: ${truth.length} true labels but ${predicted.length} predictions`);
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  if (index.size !== classes.length) throw new Error('confusionMatrix: the class list has duplicates');
  const m = classes.map(() => classes.map(() => 0));
  truth.forEach((t, i) => {
    const ti = index.get(t);
    const pi = index.get(predicted[i]);
    if (ti === undefined || pi === undefined) {
      const bad = ti === undefined ? t : predicted[i];
      throw new Error(`label ${String(bad)} (image ${i}) is not one of the classes ${classes.map(String).join(', ')}`);
    }
    m[ti][pi]++;
  });
  return m;
}

export function classificationMetrics<C>(
  truth: readonly C[],
  predicted: readonly C[],
  classes: readonly C[],
): ClassificationResult<C> {
  const confusion = confusionMatrix(truth, predicted, classes);
  const n = truth.length;
  if (n === 0) throw new Error('classificationMetrics: no images to score');
  const perClass = classes.map((label, c): ClassScores<C> => {
    const tp = confusion[c][c];
    const fn = confusion[c].reduce((a, b) => a + b, 0) - tp;
    const fp = confusion.reduce((a, row) => a + row[c], 0) - tp;
    return {
      label,
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: fn,
      sensitivity: tp + fn === 0 ? null : tp / (tp + fn),
      precision: tp + fp === 0 ? null : tp / (tp + fp),
    };
  });
  const correct = perClass.reduce((a, c) => a + c.truePositives, 0);
  return { classes, confusion, perClass, overallAccuracy: correct / n, n };
}
