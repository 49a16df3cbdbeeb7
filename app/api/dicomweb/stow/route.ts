import { NextResponse } from 'next/server';
import { z } from 'zod';
import { getDb } from '@/lib/db/client';
import { stowStudy } from '@/lib/dicomweb/stow';
import { collectStudyVolumes } from '@/lib/export/studyVolume';
import { DomainError, invalid } from '@/lib/errors';
import { withRole } from '@/lib/http/withRole';

const stowSchema = z.object({ studyId: z.string().min(1).max(64), status: z.enum(['accepted', 'all']).default('accepted') });

/** STOW-RS of a study's DICOM-SEG to the server its series came from: {studyId, status} → {stored}; 502 when it fails there. */
export const POST = withRole('ADMIN', async (req, { json }) => {
  const { studyId, status } = await json(stowSchema, 'STOW request');
  const db = getDb();
  if (!(await db.study.findUnique({ where: { id: studyId }, select: { id: true } }))) throw invalid(`No study with id ${studyId}`);
  const [volume] = await collectStudyVolumes(db, { status, studyId });
  if (!volume) throw invalid('This study has no accepted slice yet: there is nothing to send');
  const stored = await stowStudy(db, volume, req.signal);
  if (!stored.ok) throw new DomainError('upstream', stored.error);
  return NextResponse.json({ stored });
});
