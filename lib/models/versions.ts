/**
 * Model versions and the promotion gate. A trained model is stored as an immutable folder, then registered here; it
 * becomes the active model of its kind only if its validation figure is at least the active one's (or an admin
 * forces it). Activation is one transaction that flips flags, so there is always exactly one active version per kind
 * (or none) and never a half-written one. Rolling back is promoting an earlier version by force.
 */
import type { Db } from '@/lib/db/client';
import { notFound } from '@/lib/errors';

export const MODEL_KINDS = ['segmenter', 'classifier'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export interface NewVersion {
  kind: ModelKind;
  path: string;
  config: unknown;
  metrics: unknown;
  gateMetric: number;
  trainingSummary: unknown;
  labelledSlices: number;
  parentId?: string | null;
  jobId?: string | null;
  /** "base" for the shipped base model. */
  label?: string | null;
  /** Segmenters: calibrated proposal thresholds per class name. */
  proposalThresholds?: Record<string, { score: number; mask: number }> | null;
}

/**
 * Figures of the candidate and of the versions it must match, measured now on the same validation slices
 * (segmenter: each model's best mean Dice there). Without them the gate falls back to the figures stored with
 * each version, which may come from different splits.
 */
export interface GateFigures {
  candidate: number;
  /** The active version on the same slices (null: none is active), and which version that was. */
  active: number | null;
  activeId?: string | null;
  /** The base model on the same slices (null: there is no base model, or it is the active one). */
  base: number | null;
}

/**
 * The gate: a new version replaces the active one only when it validates at least as well, and never when it
 * falls below the base model (a user should never get proposals worse than a fresh install's), unless an admin
 * forces it.
 */
export function gateVerdict(f: GateFigures, force = false): { pass: boolean; reason: string } {
  const v = (x: number) => x.toFixed(4);
  if (force) return { pass: true, reason: 'promoted by an admin' };
  if (!Number.isFinite(f.candidate)) return { pass: false, reason: 'no validation figure' };
  if (f.base !== null && f.candidate < f.base) return { pass: false, reason: `validation ${v(f.candidate)} is below the base model's ${v(f.base)} on the same slices` };
  if (f.active !== null && f.candidate < f.active) return { pass: false, reason: `validation ${v(f.candidate)} is below the active version's ${v(f.active)}` };
  if (f.active === null) return { pass: true, reason: 'first version' };
  return { pass: true, reason: `validation ${v(f.candidate)} ≥ ${v(f.active)}${f.base !== null ? ` (base ${v(f.base)})` : ''}` };
}

/** The gate on stored figures alone (kept for callers that have nothing newer). */
export function passesGate(candidate: number, active: number | null | undefined, force = false): boolean {
  return gateVerdict({ candidate, active: active ?? null, base: null }, force).pass;
}

export async function registerVersion(db: Db, version: NewVersion) {
  for (let attempt = 0; ; attempt++) {
    const last = await db.modelVersion.findFirst({ where: { kind: version.kind }, orderBy: { number: 'desc' }, select: { number: true } });
    try {
      return await db.modelVersion.create({
        data: {
          kind: version.kind,
          number: (last?.number ?? 0) + 1,
          path: version.path,
          config: version.config as object,
          metrics: version.metrics as object,
          gateMetric: version.gateMetric,
          trainingSummary: version.trainingSummary as object,
          labelledSlices: version.labelledSlices,
          parentId: version.parentId ?? null,
          jobId: version.jobId ?? null,
          label: version.label ?? null,
          ...(version.proposalThresholds ? { proposalThresholds: version.proposalThresholds } : {}),
        },
      });
    } catch (error) {
      // Two registrations at once picked the same number: take the next one.
      if ((error as { code?: string }).code !== 'P2002' || attempt >= 5) throw error;
    }
  }
}

export function activeVersion(db: Db, kind: ModelKind) {
  return db.modelVersion.findFirst({ where: { kind, active: true } });
}

export interface PromotionResult {
  promoted: boolean;
  reason: string;
  previousActiveId: string | null;
}

export async function promoteIfBetter(
  db: Db,
  versionId: string,
  { force = false, userId = null, figures }: { force?: boolean; userId?: string | null; figures?: GateFigures } = {},
): Promise<PromotionResult> {
  return db.$transaction(async (tx) => {
    const candidate = await tx.modelVersion.findUnique({ where: { id: versionId } });
    if (!candidate) throw notFound(`model version ${versionId}`);
    const active = await tx.modelVersion.findFirst({ where: { kind: candidate.kind, active: true } });
    if (active?.id === candidate.id) return { promoted: false, reason: 'already active', previousActiveId: active.id };
    // figures measured now, when the caller has them, and only while the active version is still the one measured
    const measuredNow = figures && (figures.activeId ?? null) === (active?.id ?? null);
    const verdict = gateVerdict(measuredNow ? figures : { candidate: candidate.gateMetric, active: active?.gateMetric ?? null, base: null }, force);
    if (!verdict.pass) return { promoted: false, reason: verdict.reason, previousActiveId: active?.id ?? null };
    await tx.modelVersion.updateMany({ where: { kind: candidate.kind, active: true }, data: { active: false } });
    await tx.modelVersion.update({ where: { id: candidate.id }, data: { active: true, promotedAt: new Date(), promotedById: userId } });
    return { promoted: true, reason: verdict.reason, previousActiveId: active?.id ?? null };
  });
}

/** An admin's rollback: makes an earlier version active again, whatever its figure. */
export function rollbackTo(db: Db, versionId: string, userId: string | null): Promise<PromotionResult> {
  return promoteIfBetter(db, versionId, { force: true, userId });
}

export function listVersions(db: Db, kind?: ModelKind) {
  return db.modelVersion.findMany({ where: kind ? { kind } : {}, orderBy: [{ kind: 'asc' }, { number: 'desc' }] });
}
