import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { listUsers } from '@/lib/users/service';
import { UserAdmin } from './UserAdmin';

export default async function UsersPage() {
  const me = await requirePageRole('ADMIN', '/admin/users');
  const users = await listUsers(getDb());
  return <UserAdmin me={me.id} initialUsers={users.map((u) => ({ ...u, createdAt: u.createdAt.toISOString() }))} />;
}
