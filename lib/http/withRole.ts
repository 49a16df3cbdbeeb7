import type { NextRequest } from 'next/server';
import type { z } from 'zod';
import { currentUser } from '@/lib/auth/session';
import { hasRole, type Role } from '@/lib/auth/roles';
import { DomainError } from '@/lib/errors';
import type { PublicUser } from '@/lib/users/service';
import { checkDeclaredLength, DEFAULT_BODY_LIMIT, readBodyBytes, readJsonBody } from './body';
import { errorResponse } from './errors';

export interface RouteContext<P> {
  params: Promise<P>;
}

export type GuardedHandler<P> = ((req: NextRequest, ctx: RouteContext<P>) => Promise<Response>) & {
  /** Read by the table-driven auth test: every route handler must carry the role it requires. */
  requiredRole: Role;
  /** The largest body this handler reads (413 above it). */
  maxBodyBytes: number;
};

export interface HandlerContext<P> {
  params: P;
  user: PublicUser;
  /** The request's JSON body, validated by `schema`, read within the route's body limit. */
  json<T>(schema: z.ZodType<T>, what: string): Promise<T>;
}

/** For routes that take no body (a body is answered 413). */
export const NO_BODY: RouteOptions = { maxBodyBytes: 0 };

export interface RouteOptions {
  /** Largest accepted body in bytes (default DEFAULT_BODY_LIMIT; 0 for routes that take none); a larger one is answered 413 before it is read. */
  maxBodyBytes?: number;
}

/**
 * Wraps a route handler: a body over the route's limit gets 413 before it is read, anonymous requests 401, roles
 * below `role` 403, and every thrown DomainError or zod error becomes its JSON answer (lib/http/errors.ts). Every
 * handler under app/api (except next-auth's own) is built with it.
 */
export function withRole<P = Record<string, never>>(
  role: Role,
  handler: (req: NextRequest, ctx: HandlerContext<P>) => Promise<Response>,
  { maxBodyBytes = DEFAULT_BODY_LIMIT }: RouteOptions = {},
): GuardedHandler<P> {
  const guarded = async (req: NextRequest, ctx: RouteContext<P>) => {
    try {
      checkDeclaredLength(req, maxBodyBytes);
      const user = await currentUser();
      if (!user) throw new DomainError('unauthenticated', 'Sign in first');
      if (!hasRole(user.role, role)) throw new DomainError('forbidden', `This needs the ${role.toLowerCase()} role`);
      // A route that takes no body refuses one, whatever its headers say.
      if (maxBodyBytes === 0 && req.body) await readBodyBytes(req, 0);
      const json = <T>(schema: z.ZodType<T>, what: string) => readJsonBody(req, schema, what, maxBodyBytes);
      return await handler(req, { params: await ctx.params, user, json });
    } catch (error) {
      return errorResponse(error);
    }
  };
  return Object.assign(guarded, { requiredRole: role, maxBodyBytes });
}
