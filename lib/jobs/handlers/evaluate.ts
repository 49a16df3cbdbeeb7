/** evaluate: re-measures a model version on today's validation split (data grows; the figures should follow). */
import { evaluateSegmenter } from '@/lib/model/evaluate';
import { loadSegmenter } from '@/lib/model/io';
import { evaluateConfigSchema } from '../requests';
import { labelledSlice, reviewedSlices, splitByStudy } from '../trainingData';
import { defineJobType, PermanentJobError } from '../types';
import { absolute, prepareBackend } from './common';

export const evaluateJob = defineJobType({
  name: 'evaluate',
  description: "Re-measures a segmenter version on today's validation split (Dice, mask AP).",
  configSchema: evaluateConfigSchema,
  run: async (ctx, { versionId }) => {
    const version = await ctx.db.modelVersion.findUnique({ where: { id: versionId } });
    if (!version) throw new PermanentJobError(`model version ${versionId} not found`);
    if (version.kind !== 'segmenter') throw new PermanentJobError('only segmenter versions are re-evaluated here; classifiers are measured when they train');
    await prepareBackend(ctx);
    const { val } = splitByStudy(await reviewedSlices(ctx.db));
    if (val.length === 0) throw new PermanentJobError('no validation slices yet');
    const model = loadSegmenter(absolute(version.path));
    try {
      const report = await evaluateSegmenter(model, await Promise.all(val.map(labelledSlice)));
      await ctx.db.modelVersion.update({ where: { id: version.id }, data: { metrics: report as object } });
      return { message: `segmenter v${version.number} on ${val.length} validation slices: Dice ${report.dice.mean?.toFixed(4)}, AP@0.5 ${report.maskAP50.mean?.toFixed(4)}` };
    } finally {
      model.dispose();
    }
  },
});
