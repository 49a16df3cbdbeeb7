import { z } from 'zod';
import type { Db } from '@/lib/db/client';

/** The paper's three slice classes; SLICE_CLASSES (comma-separated) configures another list, e.g. "COVID,non-COVID". */
export const DEFAULT_SLICE_CLASSES = ['Normal', 'CP', 'COVID-19'] as const;

const classListSchema = z.array(z.string().trim().min(1).max(64)).min(2).refine((l) => new Set(l).size === l.length, 'class names must be distinct');

export function sliceClasses(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env.SLICE_CLASSES?.trim();
  if (!raw) return [...DEFAULT_SLICE_CLASSES];
  const parsed = classListSchema.safeParse(raw.split(','));
  if (!parsed.success) throw new Error(`SLICE_CLASSES="${raw}" is not a usable class list: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * The classes an annotator can choose: the configured list, then any class that arrived with imported data (e.g.
 * COVID / non-COVID folders), so an imported label is always a valid choice and is never lost on the next save.
 */
export async function availableSliceClasses(db: Db): Promise<string[]> {
  const configured = sliceClasses();
  const imported = await db.sliceLabel.findMany({ where: { source: 'IMPORTED' }, distinct: ['className'], select: { className: true }, orderBy: { className: 'asc' } });
  return [...configured, ...imported.map((l) => l.className).filter((c) => !configured.includes(c))];
}
