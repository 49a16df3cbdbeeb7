import { hasRole, type Role } from './roles';

export interface NavItem {
  href: string;
  label: string;
  role: Role;
}

/** Every area of the app with the least role that may use it; the menu shows a user only what they may do. */
export const NAV_ITEMS: NavItem[] = [
  { href: '/annotate', label: 'Annotate', role: 'ANNOTATOR' },
  { href: '/slices', label: 'Slices', role: 'ANNOTATOR' },
  { href: '/history', label: 'My work', role: 'ANNOTATOR' },
  { href: '/dashboard', label: 'Dashboard', role: 'ANNOTATOR' },
  { href: '/review', label: 'Review', role: 'REVIEWER' },
  // The console: users, import, training, models and active-learning settings as tabs.
  { href: '/admin', label: 'Admin', role: 'ADMIN' },
];

export function navigationFor(role: Role): NavItem[] {
  return NAV_ITEMS.filter((item) => hasRole(role, item.role));
}
