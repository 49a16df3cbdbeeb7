import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db/client';
import { DicomWebClient } from '@/lib/dicomweb/client';
import { searchSeries, seriesSearchSchema } from '@/lib/dicomweb/search';
import { dicomWebSource, serverEndpoint } from '@/lib/dicomweb/servers';
import { parseInput } from '@/lib/http/errors';
import { withRole } from '@/lib/http/withRole';

/**
 * QIDO-RS through the app: GET ?patientId&patientName&dateFrom&dateTo&modality&studyDescription&seriesDescription&limit.
 * Each series says whether it is already imported (importedStudyId). 502 with the server's problem in words.
 */
export const GET = withRole<{ id: string }>('ADMIN', async (req, { params }) => {
  const filters = parseInput(seriesSearchSchema, Object.fromEntries(req.nextUrl.searchParams), 'search');
  const db = getDb();
  const series = await serverEndpoint(db, params.id).then((server) => searchSeries(new DicomWebClient(server), filters, req.signal));
  const imported = await db.study.findMany({ where: { source: dicomWebSource(params.id), scanKey: { in: series.map((s) => s.seriesInstanceUid) } }, select: { id: true, scanKey: true } });
  const studyOf = new Map(imported.map((s) => [s.scanKey, s.id]));
  return NextResponse.json({ series: series.map((s) => ({ ...s, importedStudyId: studyOf.get(s.seriesInstanceUid) ?? null })) });
});
