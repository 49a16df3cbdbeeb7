import { ExportForm } from '@/components/ExportForm';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { serverIdOfSource } from '@/lib/dicomweb/servers';
import { listStudies } from '@/lib/slices/browse';

export const dynamic = 'force-dynamic';

export default async function ExportPage() {
  await requirePageRole('ADMIN', '/admin/export');
  const studies = await listStudies(getDb());
  return (
    <>
      <h1>Export annotations</h1>
      <p className="muted">The same exports as <code>npm run export</code>: COCO JSON, PNG label masks with their images (re-importable), a CSV of slice classes, or per study a NIfTI label volume beside its image volume, or a DICOM-SEG.</p>
      <ExportForm studies={studies.map((s) => ({ id: s.id, scanKey: s.scanKey, fromPacs: serverIdOfSource(s.source) !== undefined }))} />
    </>
  );
}
