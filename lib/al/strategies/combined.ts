import { defineStrategy, meanOf } from './strategy';

/**
 * The mean of the signals present: the classifier's entropy and the segmenter's uncertainty weigh equally, so a
 * slice the segmenter doubts is asked about even when S is sure of its class, and the other way round.
 */
export const combined = defineStrategy({
  name: 'combined', description: 'classification and segmentation uncertainty together', needs: ['classifier', 'segmentation'],
  score: (c) => (c.signals ? meanOf([c.signals.entropy, c.signals.segmentation]) : undefined),
});
