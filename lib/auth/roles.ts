import { z } from 'zod';

/** Roles in increasing order of trust: each role may do everything the ones before it may. */
export const ROLES = ['ANNOTATOR', 'REVIEWER', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

/** True when `role` is at least `required` (annotator < reviewer < admin). */
export function hasRole(role: Role, required: Role): boolean {
  return roleRank(role) >= roleRank(required);
}

/** Roles strictly below `required`: the ones a guard must refuse. */
export function rolesBelow(required: Role): Role[] {
  return ROLES.filter((r) => roleRank(r) < roleRank(required));
}

export const ROLE_LABELS: Record<Role, string> = {
  ANNOTATOR: 'Annotator',
  REVIEWER: 'Reviewer',
  ADMIN: 'Admin',
};
