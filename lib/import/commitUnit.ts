/**
 * One import unit's database transaction: the study (upserted by source and scan key), its new slices with their
 * IMPORTED/ACCEPTED polygons and slice classes, written by the slice-write protocol. A slice already present at
 * (study, index) with the same content hash is skipped; with a different one the unit fails and nothing is written.
 */
import type { Db } from '@/lib/db/client';
import { ImportError } from '@/lib/imaging/readers/importError';
import { insertImportedSlices, type ImportedSlice } from '@/lib/slices/sliceTransaction';
import type { BatchFile } from './pixelBatch';
import type { ImportOptions, ImportUnit } from './types';

export interface CommitTarget {
  options: Pick<ImportOptions, 'source' | 'importedById'>;
  keyOf(file: string): string;
  /** The study's id when this run already committed it (saves the upsert for every image of a folder study). */
  knownStudyId?: string;
}

export interface UnitCounts {
  studyId: string;
  added: number;
  skipped: number;
  annotations: number;
  labels: number;
}

/** One transaction: the study (upserted), its new slices, their polygons and labels. Throws without writing on conflict. */
export async function commitUnit(db: Db, unit: ImportUnit, files: readonly BatchFile[], target: CommitTarget): Promise<UnitCounts> {
  const { options, knownStudyId } = target;
  const source = options.source ?? 'import';
  const stored = unit.slices.map((slice, k) => ({ slice, path: files[k].path, hash: files[k].hash }));
  try {
    return await db.$transaction(
      async (tx) => {
        const n = { studyId: '', added: 0, skipped: 0, annotations: 0, labels: 0 };
        const study = knownStudyId ? { id: knownStudyId } : await tx.study.upsert({
          where: { source_scanKey: { source, scanKey: unit.scanKey } },
          create: {
            source,
            scanKey: unit.scanKey,
            format: unit.format,
            patientId: unit.patientId ?? null,
            importMeta: unit.importMeta as object,
            importedById: options.importedById ?? null,
          },
          update: {},
          select: { id: true },
        });
        n.studyId = study.id;
        const existing = new Map(
          (
            await tx.slice.findMany({
              where: { studyId: study.id, index: { in: stored.map((x) => x.slice.index) } },
              select: { index: true, contentHash: true, sourceFile: true },
            })
          ).map((e) => [e.index, e]),
        );
        // Written in bulk by the slice-write protocol (one createMany per table: a volume is hundreds of slices and
        // thousands of polygons, and per-row round trips dominated the import time).
        const fresh: ImportedSlice[] = [];
        for (const { slice, path: pixelPath, hash } of stored) {
          const before = existing.get(slice.index);
          if (before) {
            if (before.contentHash === hash) {
              n.skipped++;
              continue;
            }
            throw new ImportError(
              slice.file,
              `slice ${slice.index} of study ${unit.scanKey} already holds different pixels (imported from ${before.sourceFile}); ` +
                `import changed files under another source (options.source / --source) or delete the study first`,
            );
          }
          fresh.push({
            row: {
              studyId: study.id,
              index: slice.index,
              width: slice.image.width,
              height: slice.image.height,
              pixelPath,
              pixelKind: slice.image.kind,
              windowWidth: slice.window.width,
              windowLevel: slice.window.level,
              contentHash: hash,
              sourceFile: target.keyOf(slice.file),
            },
            polygons: slice.polygons,
            className: slice.className,
          });
        }
        const written = await insertImportedSlices(tx, fresh, options.importedById ?? null);
        Object.assign(n, { added: written.slices, annotations: written.annotations, labels: written.labels });
        return n;
      },
      // A large volume is thousands of inserts: allow more than Prisma's 5 s default.
      { timeout: 10 * 60_000, maxWait: 60_000 },
    );
  } catch (err) {
    throw err instanceof ImportError ? err : new ImportError(unit.file, `database write failed: ${(err as Error).message}`, { cause: err });
  }
}
