/**
 * A process for the fault tests (lib/faults.e2e.test.ts) to SIGKILL mid-work. `saves <url> <sliceId> <userId>`
 * saves the slice again and again through the service layer, printing `ack <version>` after each save the
 * database confirmed (what a server would answer 200 for); `promote <url> <idA> <idB>` flips the active segmenter
 * between two versions through the promotion gate, forever.
 */
import { saveSliceAnnotations } from '@/lib/annotations/service';
import { createDb } from '@/lib/db/client';
import { promoteIfBetter } from '@/lib/models/versions';

async function main() {
  const [mode, url, a, b] = process.argv.slice(2);
  const db = createDb(url);
  if (mode === 'saves') {
    const user = await db.user.findUniqueOrThrow({ where: { id: b } });
    let version = (await db.slice.findUniqueOrThrow({ where: { id: a } })).version;
    for (let k = 0; ; k++) {
      const polygons = Array.from({ length: 1 + (k % 4) }, (_, j) => ({ clientKey: `p${j}`, lesionClass: 'GGO' as const, points: [[j * 10, k % 7], [j * 10 + 8, 1], [j * 10 + 4, 9]] as [number, number][] }));
      version = (await saveSliceAnnotations(db, a, user, { baseVersion: version, polygons, sliceClass: k % 2 ? 'Normal' : 'COVID-19' })).version;
      process.stdout.write(`ack ${version}\n`);
    }
  }
  if (mode === 'promote') {
    for (let k = 0; ; k++) {
      await promoteIfBetter(db, k % 2 ? a : b, { force: true });
      if (k === 0) process.stdout.write('ready\n');
    }
  }
}

void main();
