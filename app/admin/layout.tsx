import type { ReactNode } from 'react';
import { AdminTabs } from '@/components/admin/AdminTabs';
import { requirePageRole } from '@/lib/auth/session';
import '@/components/admin/admin.css';
import '@/components/charts/charts.css';

/** The admin console: every page below is for admins only (each page checks too, with its own return path). */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  await requirePageRole('ADMIN', '/admin');
  return (
    <div className="stack admin">
      <AdminTabs />
      {children}
    </div>
  );
}
