/** Strategies on classifier S's slice-class probabilities. */
import { defineStrategy } from './strategy';

export const leastConfidence = defineStrategy({
  name: 'least-confidence', description: 'lowest top class probability first', needs: ['classifier'],
  score: (c) => c.signals?.leastConfidence,
});

export const margin = defineStrategy({
  name: 'margin', description: 'smallest gap between the two likeliest classes first', needs: ['classifier'],
  score: (c) => c.signals?.margin,
});

export const entropy = defineStrategy({
  name: 'entropy', description: 'highest class entropy first', needs: ['classifier'],
  score: (c) => c.signals?.entropy,
});
