import { ImportPanel } from '@/components/admin/ImportPanel';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { listUploads } from '@/lib/uploads/importUpload';

export const dynamic = 'force-dynamic';

export default async function ImportPage() {
  await requirePageRole('ADMIN', '/admin/import');
  return (
    <>
      <h1>Import studies</h1>
      <ImportPanel recent={await listUploads(getDb())} />
    </>
  );
}
