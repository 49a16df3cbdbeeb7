import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { SignOutButton } from '@/components/SignOutButton';
import { currentUser } from '@/lib/auth/session';
import { navigationFor } from '@/lib/auth/navigation';
import { ROLE_LABELS } from '@/lib/auth/roles';
import './globals.css';

export const metadata: Metadata = {
  title: 'CT-Mask Studio',
  description: 'Label GGO and consolidation on chest CT; retrain COVID-CT-Mask-Net; least-confident slice next.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link href="/" className="brand">CT-Mask Studio</Link>
          <nav aria-label="Main">
            {user && navigationFor(user.role).map((item) => (
              <Link key={item.href} href={item.href}>{item.label}</Link>
            ))}
          </nav>
          {user ? (
            <div className="who">
              <span data-testid="current-user">{user.name} · {ROLE_LABELS[user.role]}</span>
              <SignOutButton />
            </div>
          ) : (
            <Link href="/login">Sign in</Link>
          )}
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
