/** Strategies on the disagreement of test-time-augmented passes (lib/model/epistemic.ts). */
import type { AcquisitionContext } from '../types';
import { defineStrategy } from './strategy';

export const epistemic = defineStrategy({
  name: 'epistemic', description: 'slices where 5 augmented passes of the segmenter disagree most', needs: ['epistemic'],
  score: (c) => c.signals?.epistemic,
});

/** A class's weight: the inverse of its share of the labelled lesion pixels (smoothed; equal when nothing is labelled). */
export function rarityWeights(classes: readonly string[], pixels: AcquisitionContext['labelledClassPixels']): Record<string, number> {
  const total = classes.reduce((a, k) => a + (pixels?.[k] ?? 0), 0);
  return Object.fromEntries(classes.map((k) => [k, total > 0 ? 1 / ((pixels?.[k] ?? 0) / total + 0.05) : 1]));
}

export const classBalanced = defineStrategy({
  name: 'class-balanced', description: 'augmented-pass disagreement per class, the class rarest among the labels weighing most', needs: ['epistemic'],
  score: (c, ctx) => {
    const by = c.signals?.epistemicByClass;
    if (!by) return c.signals?.epistemic;
    const w = rarityWeights(Object.keys(by), ctx.labelledClassPixels);
    const wsum = Object.values(w).reduce((a, b) => a + b, 0);
    return Object.entries(by).reduce((a, [k, u]) => a + w[k] * u, 0) / wsum;
  },
});
