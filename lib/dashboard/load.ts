/**
 * Everything the metrics dashboard shows, read from the database (and the simulation file) by the server
 * component and GET /api/metrics. Figures come from lib/dashboard's pure functions; this module only fetches.
 */
import type { Db } from '@/lib/db/client';
import { listVersions } from '@/lib/models/versions';
import { agreementTable, sliceAgreement, summariseAgreement, type AgreementPair, type AgreementSummary, type RevisionRecord } from './agreement';
import type { FigureTable } from './csv';
import { classifierLearningCurve, segmenterLearningCurve, type Curve } from './learningCurve';
import { readLatestSimulation, simulationCurves, simulationMetrics } from './simulation';
import { classifierVersions, classNamesOf, segmenterVersions, type ClassifierVersion, type SegmenterVersion } from './versions';

export interface AgreementReport {
  summary: AgreementSummary;
  table: FigureTable;
}

/** Slices that at least two people have revisions on (model proposals left out), then their pairs. */
export async function loadAgreement(db: Db): Promise<AgreementReport> {
  const authorship = await db.annotationRevision.findMany({
    where: { authorId: { not: null }, annotation: { source: { not: 'MODEL' } } },
    distinct: ['annotationId', 'authorId'],
    select: { authorId: true, annotation: { select: { sliceId: true } } },
  });
  const authorsBySlice = new Map<string, Set<string>>();
  for (const r of authorship) {
    const set = authorsBySlice.get(r.annotation.sliceId) ?? new Set<string>();
    set.add(r.authorId!);
    authorsBySlice.set(r.annotation.sliceId, set);
  }
  const candidates = [...authorsBySlice].filter(([, authors]) => authors.size >= 2).map(([id]) => id);

  const pairs: AgreementPair[] = [];
  if (candidates.length) {
    const [slices, revisions] = await Promise.all([
      db.slice.findMany({ where: { id: { in: candidates } }, select: { id: true, width: true, height: true, index: true, study: { select: { scanKey: true } } } }),
      db.annotationRevision.findMany({
        where: { annotation: { sliceId: { in: candidates }, source: { not: 'MODEL' } } },
        orderBy: [{ createdAt: 'asc' }, { version: 'asc' }],
        select: { annotationId: true, version: true, action: true, authorId: true, createdAt: true, snapshot: true, annotation: { select: { sliceId: true } } },
      }),
    ]);
    const bySlice = new Map<string, RevisionRecord[]>();
    for (const r of revisions) {
      const list = bySlice.get(r.annotation.sliceId) ?? [];
      list.push(r);
      bySlice.set(r.annotation.sliceId, list);
    }
    for (const s of slices.sort((a, b) => a.study.scanKey.localeCompare(b.study.scanKey) || a.index - b.index)) {
      pairs.push(...sliceAgreement({ id: s.id, width: s.width, height: s.height, label: `${s.study.scanKey} #${s.index}` }, bySlice.get(s.id) ?? []));
    }
  }
  const userIds = [...new Set(pairs.flatMap((p) => [p.authorA, p.authorB]))];
  const users = userIds.length ? await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true } }) : [];
  const names = new Map(users.map((u) => [u.id, u.name]));
  return { summary: summariseAgreement(pairs), table: agreementTable(pairs, (id) => names.get(id) ?? 'former user') };
}

export interface SimulationReport {
  modifiedAt: string;
  /** Headline metrics first, then per class. */
  metrics: { key: string; label: string }[];
  curves: Record<string, Curve>;
}

export interface DashboardData {
  segmenters: SegmenterVersion[];
  classifiers: ClassifierVersion[];
  classNames: string[];
  segmenterCurve: Curve;
  classifierCurve: Curve;
  /** null: no simulation has been run yet. */
  simulation: SimulationReport | null;
  /** Why the simulation file could not be read, when it exists but is broken. */
  simulationError: string | null;
  agreement: AgreementReport;
}

export async function loadDashboard(db: Db): Promise<DashboardData> {
  const rows = await listVersions(db);
  const segmenters = segmenterVersions(rows);
  const classifiers = classifierVersions(rows);
  const classNames = classNamesOf(classifiers);
  let simulation: SimulationReport | null = null;
  let simulationError: string | null = null;
  try {
    const latest = await readLatestSimulation();
    if (latest) {
      simulation = {
        modifiedAt: latest.modifiedAt,
        metrics: simulationMetrics(latest.rows),
        curves: Object.fromEntries(simulationMetrics(latest.rows).map((m) => [m.key, simulationCurves(latest.rows, m.key)])),
      };
    }
  } catch (error) {
    simulationError = (error as Error).message;
  }
  return {
    segmenters,
    classifiers,
    classNames,
    segmenterCurve: segmenterLearningCurve(segmenters),
    classifierCurve: classifierLearningCurve(classifiers, classNames),
    simulation,
    simulationError,
    agreement: await loadAgreement(db),
  };
}
