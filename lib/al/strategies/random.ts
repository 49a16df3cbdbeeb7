import { defineStrategy } from './strategy';

/** The baseline every other strategy must beat: a uniformly random order. */
export const random = defineStrategy({
  name: 'random', description: 'random order (the baseline)', needs: [],
  score: (_c, ctx) => ctx.random(),
});
