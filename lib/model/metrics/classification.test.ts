import { describe, expect, it } from 'vitest';
import { classificationMetrics, confusionMatrix, PAPER_CLASSES } from './classification';

describe('classification metrics (paper definitions)', () => {
  const classes = ['Control', 'CP', 'COVID'] as const;
  const truth = ['Control', 'Control', 'CP', 'COVID', 'COVID', 'COVID'] as const;
  const predicted = ['Control', 'COVID', 'CP', 'COVID', 'CP', 'COVID'] as const;

  it('confusion matrix: rows are the true class, columns the predicted one', () => {
    expect(confusionMatrix(truth, predicted, classes)).toEqual([
      [1, 0, 1], // Control: 1 right, 1 called COVID
      [0, 1, 0],
      [0, 1, 2], // COVID: 2 right, 1 called CP
    ]);
  });

  it('sensitivity TP/(TP+FN), precision TP/(TP+FP), accuracy ΣTP/N', () => {
    const r = classificationMetrics(truth, predicted, classes);
    // Control: TP 1, FN 1, FP 0; CP: TP 1, FN 0, FP 1; COVID: TP 2, FN 1, FP 1.
    expect(r.perClass.map((c) => [c.label, c.sensitivity, c.precision])).toEqual([
      ['Control', 0.5, 1],
      ['CP', 1, 0.5],
      ['COVID', 2 / 3, 2 / 3],
    ]);
    expect(r.perClass[2]).toMatchObject({ truePositives: 2, falsePositives: 1, falseNegatives: 1 });
    expect(r.overallAccuracy).toBeCloseTo(4 / 6, 12);
    expect(r.n).toBe(6);
  });

  it('0/0 is null, not a number: a class never true, or never predicted', () => {
    const r = classificationMetrics([0, 0, 1], [0, 0, 0], [0, 1, 2]);
    expect(r.perClass[1]).toMatchObject({ sensitivity: 0, precision: null });
    expect(r.perClass[2]).toMatchObject({ sensitivity: null, precision: null });
  });

  it('takes any class list, e.g. the paper’s three', () => {
    const r = classificationMetrics(['COVID-19', 'Control'], ['COVID-19', 'COVID-19'], PAPER_CLASSES);
    expect(r.confusion).toEqual([
      [0, 0, 1],
      [0, 0, 0],
      [0, 0, 1],
    ]);
  });

  it('refuses labels outside the class list and unequal lengths', () => {
    expect(() => confusionMatrix(['Control', 'Flu'], ['Control', 'Control'], classes)).toThrow(
      'label Flu (image 1) is not one of the classes Control, CP, COVID',
    );
    expect(() => confusionMatrix(['Control'], [], classes)).toThrow('1 true labels but 0 predictions');
  });
});
