import type { NextRequest } from 'next/server';
import { currentUser } from '@/lib/auth/session';
import { hasRole, type Role } from '@/lib/auth/roles';
import type { PublicUser } from '@/lib/users/service';
import { errorResponse, jsonError } from './errors';

export interface RouteContext<P> {
  params: Promise<P>;
}

export type GuardedHandler<P> = ((req: NextRequest, ctx: RouteContext<P>) => Promise<Response>) & {
  /** Read by the table-driven auth test: every route handler must carry the role it requires. */
  requiredRole: Role;
};

/**
 * Wraps a route handler: 401 for anonymous requests, 403 for roles below `role`, and thrown HttpError/zod
 * errors turned into JSON responses. Every handler under app/api (except next-auth's own) is built with it.
 */
export function withRole<P = Record<string, never>>(
  role: Role,
  handler: (req: NextRequest, ctx: { params: P; user: PublicUser }) => Promise<Response>,
): GuardedHandler<P> {
  const guarded = async (req: NextRequest, ctx: RouteContext<P>) => {
    try {
      const user = await currentUser();
      if (!user) return jsonError(401, 'Sign in first');
      if (!hasRole(user.role, role)) return jsonError(403, `This needs the ${role.toLowerCase()} role`);
      return await handler(req, { params: await ctx.params, user });
    } catch (error) {
      return errorResponse(error);
    }
  };
  return Object.assign(guarded, { requiredRole: role });
}
