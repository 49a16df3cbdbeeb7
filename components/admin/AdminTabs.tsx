'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';

export const ADMIN_SECTIONS = [
  { href: '/admin', label: 'Overview' },
  { href: '/admin/users', label: 'Users' },
  { href: '/admin/import', label: 'Import' },
  { href: '/admin/dicomweb', label: 'PACS' },
  { href: '/admin/training', label: 'Training' },
  { href: '/admin/models', label: 'Models' },
  { href: '/admin/active-learning', label: 'Active learning' },
  { href: '/admin/export', label: 'Export' },
] as const;

export function AdminTabs() {
  const pathname = usePathname();
  return (
    <nav className="tabs" aria-label="Admin sections">
      {ADMIN_SECTIONS.map((s) => (
        <Link key={s.href} href={s.href} className={pathname === s.href ? 'active' : undefined} aria-current={pathname === s.href ? 'page' : undefined}>
          {s.label}
        </Link>
      ))}
    </nav>
  );
}
