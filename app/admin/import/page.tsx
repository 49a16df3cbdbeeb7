import { ClassAliasesForm } from '@/components/admin/ClassAliasesForm';
import { ImportPanel } from '@/components/admin/ImportPanel';
import { requirePageRole } from '@/lib/auth/session';
import { DEFAULT_CLASS_ALIASES } from '@/lib/classes/aliases';
import { getClassAliases } from '@/lib/classes/aliasSettings';
import { getDb } from '@/lib/db/client';
import { listUploads } from '@/lib/uploads/importUpload';

export const dynamic = 'force-dynamic';

export default async function ImportPage() {
  await requirePageRole('ADMIN', '/admin/import');
  const db = getDb();
  return (
    <>
      <h1>Import studies</h1>
      <ImportPanel recent={await listUploads(db)} />
      <ClassAliasesForm initial={await getClassAliases(db)} defaults={DEFAULT_CLASS_ALIASES} />
    </>
  );
}
