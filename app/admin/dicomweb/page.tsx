import { DicomWebPanel } from '@/components/admin/DicomWebPanel';
import { requirePageRole } from '@/lib/auth/session';
import { getDb } from '@/lib/db/client';
import { listServers } from '@/lib/dicomweb/servers';

export const dynamic = 'force-dynamic';

export default async function DicomWebPage() {
  await requirePageRole('ADMIN', '/admin/dicomweb');
  const servers = (await listServers(getDb())).map((s) => ({ ...s, createdAt: s.createdAt.toISOString() }));
  return (
    <>
      <h1>Import from a PACS (DICOMweb)</h1>
      <p className="muted">
        Search a DICOMweb server (QIDO-RS) by patient, date, modality or description, choose series and import them as a background job (WADO-RS).
        A series is imported whole or not at all; one that fails is listed with its reason and retried by Resume.
      </p>
      <DicomWebPanel initialServers={servers} />
    </>
  );
}
