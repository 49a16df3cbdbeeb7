/**
 * Proposal thresholds of a segmenter version: per class, the score a detection needs to be proposed and the mask
 * probability its outline follows. An admin's override wins over the thresholds calibrated on validation at
 * training time (lib/model/calibrate.ts); a class with neither gets DEFAULT_THRESHOLD.
 */
import { z } from 'zod';
import type { Db } from '@/lib/db/client';
import { invalid, notFound } from '@/lib/errors';
import { parseSegmenterConfig } from '@/lib/model/config';
import { DEFAULT_THRESHOLD, type ClassThreshold } from '@/lib/model/calibrate';

const unit = z.number().finite().min(0).max(1);
export const classThresholdSchema = z.object({ score: unit, mask: unit.refine((v) => v > 0 && v < 1, 'mask threshold must lie strictly between 0 and 1') }).strict();
/** An admin's override: class name → thresholds, or null to go back to the calibrated ones. */
export const thresholdOverrideSchema = z.record(z.string().min(1).max(64), classThresholdSchema).nullable();
export type ThresholdOverride = z.infer<typeof thresholdOverrideSchema>;

export type ThresholdSource = 'override' | 'calibrated' | 'default';

interface VersionThresholds {
  proposalThresholds: unknown;
  thresholdOverrides: unknown;
}

function parsed(value: unknown): Record<string, ClassThreshold> {
  const r = thresholdOverrideSchema.safeParse(value ?? null);
  return r.success && r.data ? r.data : {};
}

/** The thresholds in force per class, and where each comes from. */
export function effectiveThresholds(version: VersionThresholds, classNames: string[]): Record<string, ClassThreshold & { source: ThresholdSource }> {
  const override = parsed(version.thresholdOverrides);
  const calibrated = parsed(version.proposalThresholds);
  return Object.fromEntries(
    classNames.map((c) => [c, override[c] ? { ...override[c], source: 'override' as const } : calibrated[c] ? { ...calibrated[c], source: 'calibrated' as const } : { ...DEFAULT_THRESHOLD, source: 'default' as const }]),
  );
}

/** The thresholds predict() takes. */
export function proposalThresholdsOf(version: VersionThresholds, classNames: string[]): Record<string, ClassThreshold> {
  return Object.fromEntries(Object.entries(effectiveThresholds(version, classNames)).map(([c, { score, mask }]) => [c, { score, mask }]));
}

/** `thresholds` with the same score and/or mask threshold for every class (a command line's override). */
export function overrideAllClasses(thresholds: Record<string, ClassThreshold>, override: Partial<ClassThreshold>): Record<string, ClassThreshold> {
  return Object.fromEntries(Object.entries(thresholds).map(([c, t]) => [c, { score: override.score ?? t.score, mask: override.mask ?? t.mask }]));
}

/** Class names of a stored segmenter version (its config), or null when it is not a segmenter. */
export function segmenterClasses(version: { kind: string; config?: unknown }): string[] | null {
  if (version.kind !== 'segmenter') return null;
  try {
    return parseSegmenterConfig(version.config).classNames;
  } catch {
    return null;
  }
}

/**
 * Sets (or, with null, clears) an admin's threshold override of a segmenter version. Classes the version does not
 * have are refused. Returns the thresholds now in force, and whether the version is the active one (its proposals
 * must then be recomputed).
 */
export async function setThresholdOverride(db: Db, versionId: string, override: ThresholdOverride) {
  const version = await db.modelVersion.findUnique({ where: { id: versionId } });
  if (!version) throw notFound(`Model version ${versionId}`);
  const classes = segmenterClasses(version);
  if (!classes) throw invalid(`Model version ${versionId} is a ${version.kind}: only segmenters have proposal thresholds`);
  const unknown = Object.keys(override ?? {}).filter((c) => !classes.includes(c));
  if (unknown.length) throw invalid(`Unknown class ${unknown.map((c) => `"${c}"`).join(', ')}: segmenter v${version.number} has ${classes.join(', ')}`);
  const updated = await db.modelVersion.update({
    where: { id: versionId },
    // {} rather than SQL NULL: "no class overridden" reads the same, and needs no provider-specific null
    data: { thresholdOverrides: override ?? {} },
  });
  return { thresholds: effectiveThresholds(updated, classes), active: updated.active };
}
