import { NextResponse } from 'next/server';
import { z } from 'zod';
import { getDb } from '@/lib/db/client';
import { withRole } from '@/lib/http/withRole';
import { enqueueJob } from '@/lib/jobs/service';
import { setThresholdOverride, thresholdOverrideSchema } from '@/lib/models/thresholds';

const thresholdsRequest = z.object({
  /** Class name → { score, mask }; null (or {}) goes back to the thresholds calibrated at training time. */
  thresholds: thresholdOverrideSchema,
}).strict();

/** An admin overrides a segmenter version's proposal thresholds; the active version's proposals are recomputed. */
export const PUT = withRole<{ id: string }>('ADMIN', async (_req, { params, user, json }) => {
  const { thresholds } = await json(thresholdsRequest, 'thresholds');
  const db = getDb();
  const result = await setThresholdOverride(db, params.id, thresholds);
  const rescore = result.active ? await enqueueJob(db, { type: 'score', config: {}, createdById: user.id }) : null;
  return NextResponse.json({ thresholds: result.thresholds, scoreJobId: rescore?.id ?? null });
});
