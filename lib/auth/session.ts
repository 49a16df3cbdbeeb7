import { getServerSession } from 'next-auth';
import { redirect } from 'next/navigation';
import { getDb } from '@/lib/db/client';
import { activeUserById, type PublicUser } from '@/lib/users/service';
import { authOptions } from './options';
import { hasRole, type Role } from './roles';

/** The signed-in, still active user of the current request, or null. */
export async function currentUser(): Promise<PublicUser | null> {
  const session = await getServerSession(authOptions);
  const id = (session?.user as { id?: string } | undefined)?.id;
  return id ? activeUserById(getDb(), id) : null;
}

/**
 * For server components: the user when they hold at least `role`; anonymous visitors go to the login page,
 * lower roles to /forbidden.
 */
export async function requirePageRole(role: Role, returnTo = '/'): Promise<PublicUser> {
  const user = await currentUser();
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(returnTo)}`);
  if (!hasRole(user.role, role)) redirect('/forbidden');
  return user;
}
