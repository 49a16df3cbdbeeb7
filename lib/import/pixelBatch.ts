/**
 * The pixel files of one import unit, written before its database transaction and owned by it until then: a
 * batch either commits (the transaction that references its files succeeded) or rolls back (the files it created
 * are deleted again). The orphan rule lives here alone: a rolled-back file stays when a slice references the
 * same content (an identical image imported before) or another batch still on its way to the database holds it
 * (the unit read ahead). Pixel files are content-addressed, so two units can share one.
 */
import type { Db } from '@/lib/db/client';
import { deletePixels, writePixels, type PixelImage } from '@/lib/imaging/pixelStore';

export interface BatchFile {
  /** Relative to the storage root (Slice.pixelPath). */
  path: string;
  hash: string;
}

export interface PixelBatch {
  /** One entry per image, in order. */
  readonly files: readonly BatchFile[];
  /** Runs the write that references the files; on success the batch is done, on failure it rolls back and rethrows. */
  commit<T>(write: () => Promise<T>): Promise<T>;
  /** Lets go of the files, deleting those this batch created that nothing else references or holds. */
  rollback(): Promise<void>;
}

/** The batches of one import run, sharing what is in flight. */
export interface PixelBatches {
  /** Writes the images; when a write fails, the files written so far are rolled back and the error goes on. */
  store(images: readonly PixelImage[]): Promise<PixelBatch>;
}

export function pixelBatches(db: Db, storageRoot: string): PixelBatches {
  /** Pixel paths held by batches not yet committed or rolled back, with how many hold each. */
  const inFlight = new Map<string, number>();
  const hold = (p: string) => inFlight.set(p, (inFlight.get(p) ?? 0) + 1);
  const letGo = (p: string) => {
    const left = (inFlight.get(p) ?? 1) - 1;
    if (left > 0) inFlight.set(p, left);
    else inFlight.delete(p);
  };
  const removeOrphans = async (created: readonly string[]) => {
    for (const p of new Set(created)) {
      if (inFlight.has(p)) continue;
      // when the database cannot say, keep the file: a stray file is harmless, a missing one is not
      const refs = await db.slice.count({ where: { pixelPath: p } }).catch(() => 1);
      if (refs === 0) await deletePixels(p, storageRoot);
    }
  };

  return {
    async store(images) {
      const files: BatchFile[] = [];
      const created: string[] = [];
      let open = true;
      const batch: PixelBatch = {
        files,
        async commit(write) {
          try {
            const result = await write();
            if (open) files.forEach((f) => letGo(f.path));
            open = false;
            return result;
          } catch (err) {
            await batch.rollback();
            throw err;
          }
        },
        async rollback() {
          if (!open) return;
          open = false;
          files.forEach((f) => letGo(f.path));
          await removeOrphans(created);
        },
      };
      try {
        for (const image of images) {
          const s = await writePixels(image, storageRoot);
          if (s.created) created.push(s.path);
          files.push({ path: s.path, hash: s.contentHash });
          hold(s.path);
        }
      } catch (err) {
        await batch.rollback();
        throw err;
      }
      return batch;
    },
  };
}
