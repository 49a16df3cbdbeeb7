import { ModelsPanel } from '@/components/admin/ModelsPanel';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import type { VersionRecord } from '@/lib/dashboard/versions';
import { listVersions } from '@/lib/models/versions';

export const dynamic = 'force-dynamic';

export default async function ModelsPage() {
  await requirePageRole('ADMIN', '/admin/models');
  const versions = JSON.parse(JSON.stringify(await listVersions(getDb()))) as VersionRecord[];
  return (
    <>
      <h1>Model versions</h1>
      <p className="muted">A new version becomes active only when its validation figure is at least the active one&apos;s (Promote); an admin may override the gate or roll back to an earlier version.</p>
      <ModelsPanel initialVersions={versions} />
    </>
  );
}
