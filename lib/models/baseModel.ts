/**
 * The base model shipped with the project (models/base, made by `npm run pretrain`): on start-up it becomes a
 * model version labelled "base" — the first, active segmenter of a fresh install, so proposals and an
 * uncertainty-ordered queue exist before anyone trains, and the floor that later versions must not fall below
 * (versions.ts). Its folder is copied into the data folder like any trained version, checksum verified.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '@/lib/db/client';
import { readModelDir } from '@/lib/model/io';
import { dataDir, repoRoot } from '@/lib/paths';
import { modelPath } from '@/lib/jobs/handlers/common';
import { promoteIfBetter, registerVersion } from './versions';

export const BASE_LABEL = 'base';

/** models/base of the checkout (CTMS_BASE_MODEL to use another folder, or "none" for none). */
export function baseModelDir(): string | null {
  const configured = process.env.CTMS_BASE_MODEL;
  if (configured === 'none') return null;
  const dir = configured ? path.resolve(repoRoot(), configured) : path.join(repoRoot(), 'models', 'base');
  return fs.existsSync(path.join(dir, 'manifest.json')) ? dir : null;
}

export function baseVersion(db: Db) {
  return db.modelVersion.findFirst({ where: { kind: 'segmenter', label: BASE_LABEL }, orderBy: { number: 'desc' } });
}

export interface BaseImport {
  versionId: string;
  number: number;
  active: boolean;
}

/**
 * Registers the base model once per checksum (a changed models/base adds a new "base" version). It becomes
 * active only when no segmenter is active yet; returns null when there is nothing to import.
 */
export async function ensureBaseModel(db: Db, dir: string | null = baseModelDir()): Promise<BaseImport | null> {
  if (!dir) return null;
  const md = readModelDir(dir); // verifies the checksum before anything is copied
  if (md.manifest.kind !== 'segmenter') throw new Error(`${dir} holds a ${md.manifest.kind}: the base model must be a segmenter`);
  const rel = modelPath('segmenter', `base-${md.manifest.sha256.slice(0, 16)}`);
  const existing = await db.modelVersion.findFirst({ where: { kind: 'segmenter', label: BASE_LABEL, path: rel } });
  if (existing) return null;
  const target = path.join(dataDir(), rel);
  if (!fs.existsSync(path.join(target, 'manifest.json'))) {
    const tmp = `${target}.partial-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(tmp), { recursive: true });
    fs.cpSync(dir, tmp, { recursive: true, filter: (src) => !src.endsWith('.md') });
    fs.renameSync(tmp, target);
  }
  const training = md.manifest.training;
  const metrics = (training.metrics ?? {}) as { tune?: { bestDice?: { mean?: number } }; medsegVal?: unknown };
  const version = await registerVersion(db, {
    kind: 'segmenter', path: rel, config: md.config,
    // what the admin reads on the models page: the held-out MedSeg figures of the pretraining run
    metrics: metrics.medsegVal ?? {},
    gateMetric: Number(metrics.tune?.bestDice?.mean ?? 0),
    trainingSummary: training, labelledSlices: 0, label: BASE_LABEL,
    proposalThresholds: md.manifest.proposalThresholds ?? null,
  });
  const activeNow = await db.modelVersion.findFirst({ where: { kind: 'segmenter', active: true }, select: { id: true } });
  if (activeNow) return { versionId: version.id, number: version.number, active: false };
  const promotion = await promoteIfBetter(db, version.id);
  return { versionId: version.id, number: version.number, active: promotion.promoted };
}
