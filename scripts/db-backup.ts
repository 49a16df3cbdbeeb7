/**
 * `npm run db:backup -- --out <file.zip>`: a consistent backup of the SQLite database (online: the app may keep
 * running) and of the data folder's pixels and models. `npm run db:restore -- --from <file.zip> [--force]` puts one
 * back into DATA_DIR / DATABASE_URL. PostgreSQL: use pg_dump (README, "Backups").
 */
import { z } from 'zod';
import { parseCli, runCli } from '../lib/cli/args';
import { backupSqlite, restoreSqlite } from '../lib/db/backup';
import { databaseUrl } from '../lib/db/client';
import { dataDir } from '../lib/paths';

const USAGE = `usage:
  npm run db:backup -- --out <backup.zip>
  npm run db:restore -- --from <backup.zip> [--force]   (into DATA_DIR and DATABASE_URL; --force replaces an existing database)`;

async function main(): Promise<number> {
  const [command, ...argv] = process.argv.slice(2);
  if (command === 'backup') {
    const { values } = parseCli(argv, { out: { type: 'string' } }, z.object({ out: z.string({ message: '--out <file> is required' }).min(1) }), false);
    const started = Date.now();
    const s = await backupSqlite(databaseUrl(), dataDir(), values.out);
    console.log(`backup written to ${s.file}: database ${(s.databaseBytes / 1e6).toFixed(1)} MB, ${s.files} data files, ${(s.bytes / 1e6).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  }
  if (command === 'restore') {
    const { values } = parseCli(argv, { from: { type: 'string' }, force: { type: 'boolean' } }, z.object({ from: z.string({ message: '--from <file> is required' }).min(1), force: z.boolean().default(false) }), false);
    const r = await restoreSqlite(values.from, databaseUrl(), dataDir(), { force: values.force });
    console.log(`restored ${values.from} into ${databaseUrl()} and ${dataDir()} (${r.files} data files)`);
    return 0;
  }
  console.error(USAGE);
  return 2;
}

runCli(main, USAGE);
