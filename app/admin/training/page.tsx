import { SEGMENTER_RECIPES } from '@/lib/model/train/recipes';
import { TrainingPanel, type JobRow } from '@/components/admin/TrainingPanel';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { trainClassifierConfigSchema, trainSegmenterConfigSchema } from '@/lib/jobs/requests';
import { listJobs } from '@/lib/jobs/service';
import { MASK_TYPES, PRESETS } from '@/lib/model/config';

export const dynamic = 'force-dynamic';

export default async function TrainingPage() {
  await requirePageRole('ADMIN', '/admin/training');
  const jobs = JSON.parse(JSON.stringify(await listJobs(getDb()))) as JobRow[];
  // The forms start from the job schemas' own defaults, so the console and the API never disagree.
  const seg = trainSegmenterConfigSchema.parse({});
  const cls = trainClassifierConfigSchema.parse({});
  return (
    <>
      <h1>Training</h1>
      <TrainingPanel
        initialJobs={jobs}
        options={{
          presets: PRESETS,
          maskTypes: MASK_TYPES,
          classifierModes: trainClassifierConfigSchema.shape.mode.unwrap().options,
          segmenterDefaults: { preset: seg.preset, maskType: seg.maskType, epochs: seg.epochs, timeBudgetMin: seg.timeBudgetMin, lrHint: `empty: the recipe's rate (fine-tuning ${SEGMENTER_RECIPES.fineTune.lr}, from scratch ${SEGMENTER_RECIPES.fromScratch.lr})`, fineTune: seg.fineTune, includeSubmitted: seg.includeSubmitted },
          classifierDefaults: { mode: cls.mode, epochs: cls.epochs, timeBudgetMin: cls.timeBudgetMin },
        }}
      />
    </>
  );
}
