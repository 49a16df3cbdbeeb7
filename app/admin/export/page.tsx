import { ExportForm } from '@/components/ExportForm';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { listStudies } from '@/lib/slices/browse';

export const dynamic = 'force-dynamic';

export default async function ExportPage() {
  await requirePageRole('ADMIN', '/admin/export');
  const studies = await listStudies(getDb());
  return (
    <>
      <h1>Export annotations</h1>
      <p className="muted">The same exports as <code>npm run export</code>: COCO JSON, PNG label masks with their images (re-importable), or a CSV of slice classes.</p>
      <ExportForm studies={studies.map((s) => ({ id: s.id, scanKey: s.scanKey }))} />
    </>
  );
}
