/** npm run db:seed: applies migrations and creates the demo users (one per role) that do not exist yet. */
import { runCli } from '../lib/cli/args';
import { getDb } from '../lib/db/client';
import { migrateDatabase } from '../lib/db/migrate';
import { DEMO_USERS, formatLogins, seedDemoUsers } from '../lib/users/demo';

runCli(async () => {
  await migrateDatabase();
  const db = getDb();
  try {
    const created = await seedDemoUsers(db);
    console.log(created.length ? `created demo users:\n${formatLogins(created)}` : `demo users already exist:\n${formatLogins(DEMO_USERS)}`);
  } finally {
    await db.$disconnect();
  }
}, 'usage: npm run db:seed');
