import type { Db } from '@/lib/db/client';
import type { Role } from '@/lib/auth/roles';
import { createUser, findUserByEmail } from './service';

/** One demo account per role, created by the quick start so a new install can be tried at once. */
export const DEMO_USERS: { email: string; name: string; role: Role; password: string }[] = [
  { email: 'annotator@example.org', name: 'Ada Annotator', role: 'ANNOTATOR', password: 'ada-labels-ggo' },
  { email: 'reviewer@example.org', name: 'Rei Reviewer', role: 'REVIEWER', password: 'rei-checks-masks' },
  { email: 'admin@example.org', name: 'Ali Admin', role: 'ADMIN', password: 'ali-runs-the-lab' },
];

/** Creates the demo users that do not exist yet; returns the ones created. */
export async function seedDemoUsers(db: Db): Promise<typeof DEMO_USERS> {
  const created: typeof DEMO_USERS = [];
  for (const demo of DEMO_USERS) {
    if (await findUserByEmail(db, demo.email)) continue;
    await createUser(db, demo);
    created.push(demo);
  }
  return created;
}

export function formatLogins(users: typeof DEMO_USERS): string {
  return users.map((u) => `  ${u.role.toLowerCase().padEnd(10)} ${u.email.padEnd(24)} password: ${u.password}`).join('\n');
}
