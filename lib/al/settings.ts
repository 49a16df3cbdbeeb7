/** Admin settings of the active-learning loop, stored in the Setting table and validated on the way in and out. */
import { z } from 'zod';
import type { Db } from '@/lib/db/client';
import { STRATEGY_NAMES } from './strategies';

const fields = {
  /** The acquisition strategy the annotation queue follows. */
  strategy: z.enum(STRATEGY_NAMES as [string, ...string[]]),
  /** Queue a retraining after this many newly accepted slices; null = only by hand. */
  autoTrainAfter: z.number().int().min(1).max(100_000).nullable(),
  /** Train on submitted (not yet accepted) slices too. */
  includeSubmitted: z.boolean(),
};

export const alSettingsSchema = z.object({
  strategy: fields.strategy.default('combined'),
  autoTrainAfter: fields.autoTrainAfter.default(null),
  includeSubmitted: fields.includeSubmitted.default(false),
});
/** A change from an admin: only the fields given, nothing else. */
export const alSettingsChangeSchema = z.object(fields).partial().strict();
export type AlSettings = z.infer<typeof alSettingsSchema>;

const KEY = 'active-learning';

export async function getAlSettings(db: Db): Promise<AlSettings> {
  const row = await db.setting.findUnique({ where: { key: KEY } });
  const parsed = alSettingsSchema.safeParse(row?.value ?? {});
  // A stored value from an older version that no longer parses falls back to the defaults, never to a crash.
  return parsed.success ? parsed.data : alSettingsSchema.parse({});
}

export async function updateAlSettings(db: Db, change: Partial<AlSettings>): Promise<AlSettings> {
  const next = alSettingsSchema.parse({ ...(await getAlSettings(db)), ...change });
  await db.setting.upsert({ where: { key: KEY }, create: { key: KEY, value: next }, update: { value: next } });
  return next;
}
