import { NextResponse } from 'next/server';
import { z } from 'zod';
import { getDb } from '@/lib/db/client';
import { stowStudy } from '@/lib/dicomweb/stow';
import { collectStudyVolumes } from '@/lib/export/studyVolume';
import { asHttp } from '@/lib/http/dicomwebErrors';
import { badRequest, parseJsonBody } from '@/lib/http/errors';
import { withRole } from '@/lib/http/withRole';

const stowSchema = z.object({ studyId: z.string().min(1).max(64), status: z.enum(['accepted', 'all']).default('accepted') });

/** STOW-RS of a study's DICOM-SEG to the server its series came from: {studyId, status} → {stored}; 502 when it fails there. */
export const POST = withRole('ADMIN', async (req) => {
  const { studyId, status } = await parseJsonBody(req, stowSchema, 'STOW request');
  const db = getDb();
  if (!(await db.study.findUnique({ where: { id: studyId }, select: { id: true } }))) throw badRequest(`No study with id ${studyId}`);
  const [volume] = await asHttp(collectStudyVolumes(db, { status, studyId }));
  if (!volume) throw badRequest('This study has no accepted slice yet: there is nothing to send');
  const stored = await asHttp(stowStudy(db, volume, req.signal));
  if (!stored.ok) return NextResponse.json({ error: stored.error }, { status: 502 });
  return NextResponse.json({ stored });
});
