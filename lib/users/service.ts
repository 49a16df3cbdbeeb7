import { z } from 'zod';
import type { Db } from '@/lib/db/client';
import { conflict, invalid, notFound } from '@/lib/errors';
import { hashPassword, verifyAgainstNobody, verifyPassword } from '@/lib/auth/password';
import { passwordProblem } from '@/lib/auth/passwordPolicy';
import { roleSchema, type Role } from '@/lib/auth/roles';

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email({ message: 'not a valid email address' }));
/** A password by the policy (lib/auth/passwordPolicy.ts); the rules that need the e-mail are checked with it. */
export const passwordSchema = z.string().max(1000).superRefine((p, ctx) => {
  const problem = passwordProblem(p);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const newUserSchema = z
  .object({
    email: emailSchema,
    name: z.string().trim().min(1).max(120).optional(),
    role: roleSchema.default('ANNOTATOR'),
    password: passwordSchema,
  })
  .superRefine((u, ctx) => {
    const problem = passwordProblem(u.password, u.email);
    if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
  });
export type NewUser = z.input<typeof newUserSchema>;

export const userUpdateSchema = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    role: roleSchema.optional(),
    active: z.boolean().optional(),
    password: passwordSchema.optional(),
  })
  .strict()
  .refine((u) => Object.keys(u).length > 0, 'nothing to change');
export type UserUpdate = z.input<typeof userUpdateSchema>;

/** What the app shows and passes around: never the password hash. */
export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  createdAt: Date;
}

const publicFields = { id: true, email: true, name: true, role: true, active: true, createdAt: true } as const;

export async function createUser(db: Db, input: NewUser): Promise<PublicUser> {
  const data = newUserSchema.parse(input);
  const existing = await db.user.findUnique({ where: { email: data.email } });
  if (existing) throw conflict(`a user with email ${data.email} already exists`);
  return db.user.create({
    data: {
      email: data.email,
      name: data.name ?? data.email.split('@')[0],
      role: data.role,
      passwordHash: await hashPassword(data.password),
    },
    select: publicFields,
  });
}

export async function updateUser(db: Db, id: string, input: UserUpdate): Promise<PublicUser> {
  const data = userUpdateSchema.parse(input);
  const existing = await db.user.findUnique({ where: { id } });
  if (!existing) throw notFound(`User ${id}`);
  const { password, ...rest } = data;
  const problem = password ? passwordProblem(password, existing.email) : null;
  if (problem) throw invalid(problem);
  // A new password or a deactivation ends every session the user has open (lib/auth/sessions.ts).
  const revoke = password !== undefined || (data.active === false && existing.active);
  return db.user.update({
    where: { id },
    data: { ...rest, ...(password ? { passwordHash: await hashPassword(password) } : {}), ...(revoke ? { sessionVersion: { increment: 1 } } : {}) },
    select: publicFields,
  });
}

export function listUsers(db: Db): Promise<PublicUser[]> {
  return db.user.findMany({ select: publicFields, orderBy: [{ role: 'desc' }, { email: 'asc' }] });
}

export function findUserByEmail(db: Db, email: string): Promise<PublicUser | null> {
  return db.user.findUnique({ where: { email: email.trim().toLowerCase() }, select: publicFields });
}

/** The login check: an active user whose password matches, or null (never says which part failed). */
export async function authenticate(db: Db, email: string, password: string): Promise<PublicUser | null> {
  const parsed = emailSchema.safeParse(email);
  if (!parsed.success || !password) return null;
  const user = await db.user.findUnique({ where: { email: parsed.data } });
  // The same bcrypt work whether the account exists or not: response times do not tell which accounts exist.
  if (!user) return verifyAgainstNobody(password).then(() => null);
  const matches = await verifyPassword(password, user.passwordHash);
  if (!matches || !user.active) return null;
  const { passwordHash: _hash, updatedAt: _updated, sessionVersion: _sv, ...rest } = user;
  return rest;
}

/** The signed-in user as the database has them now: a deactivated or deleted user is nobody. */
export async function activeUserById(db: Db, id: string): Promise<PublicUser | null> {
  const user = await db.user.findUnique({ where: { id }, select: publicFields });
  return user && user.active ? user : null;
}
