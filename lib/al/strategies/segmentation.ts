import { defineStrategy } from './strategy';

/** The segmenter's own doubt about its lesions (box scores and mask probabilities of one pass). */
export const segmentation = defineStrategy({
  name: 'segmentation', description: 'least confident lesion masks first', needs: ['segmentation'],
  score: (c) => c.signals?.segmentation,
});
