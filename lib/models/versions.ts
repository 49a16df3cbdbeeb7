/**
 * Model versions and the promotion gate. A trained model is stored as an immutable folder, then registered here; it
 * becomes the active model of its kind only if its validation figure is at least the active one's (or an admin
 * forces it). Activation is one transaction that flips flags, so there is always exactly one active version per kind
 * (or none) and never a half-written one. Rolling back is promoting an earlier version by force.
 */
import type { Db } from '@/lib/db/client';

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
}

/** The gate: a new version replaces the active one only when it validates at least as well. */
export function passesGate(candidate: number, active: number | null | undefined, force = false): boolean {
  if (force || active === null || active === undefined) return true;
  return Number.isFinite(candidate) && candidate >= active;
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

export async function promoteIfBetter(db: Db, versionId: string, { force = false, userId = null }: { force?: boolean; userId?: string | null } = {}): Promise<PromotionResult> {
  return db.$transaction(async (tx) => {
    const candidate = await tx.modelVersion.findUnique({ where: { id: versionId } });
    if (!candidate) throw new Error(`model version ${versionId} not found`);
    const active = await tx.modelVersion.findFirst({ where: { kind: candidate.kind, active: true } });
    if (active?.id === candidate.id) return { promoted: false, reason: 'already active', previousActiveId: active.id };
    if (!passesGate(candidate.gateMetric, active?.gateMetric, force)) {
      return {
        promoted: false,
        reason: `validation ${candidate.gateMetric.toFixed(4)} is below the active version's ${active!.gateMetric.toFixed(4)}`,
        previousActiveId: active?.id ?? null,
      };
    }
    await tx.modelVersion.updateMany({ where: { kind: candidate.kind, active: true }, data: { active: false } });
    await tx.modelVersion.update({ where: { id: candidate.id }, data: { active: true, promotedAt: new Date(), promotedById: userId } });
    const reason = force ? 'promoted by an admin' : active ? `validation ${candidate.gateMetric.toFixed(4)} ≥ ${active.gateMetric.toFixed(4)}` : 'first version';
    return { promoted: true, reason, previousActiveId: active?.id ?? null };
  });
}

/** An admin's rollback: makes an earlier version active again, whatever its figure. */
export function rollbackTo(db: Db, versionId: string, userId: string | null): Promise<PromotionResult> {
  return promoteIfBetter(db, versionId, { force: true, userId });
}

export function listVersions(db: Db, kind?: ModelKind) {
  return db.modelVersion.findMany({ where: kind ? { kind } : {}, orderBy: [{ kind: 'asc' }, { number: 'desc' }] });
}
