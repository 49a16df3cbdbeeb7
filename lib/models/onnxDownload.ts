/**
 * A segmenter version as a downloadable ONNX export (the models page's "ONNX" link): the dense graph, the two head
 * graphs and the JSON sidecar (classes, thresholds — the admin's override included —, preprocessing, input and
 * output names) in one zip, built in memory from the version's folder. `npm run export -- --format onnx` writes the
 * same files to disk.
 */
import { zipSync } from 'fflate';
import type { Db } from '@/lib/db/client';
import { invalid, notFound } from '@/lib/errors';
import { absolute } from '@/lib/jobs/handlers/common';
import { onnxExportOf } from '@/lib/model/onnx/exportOnnx';
import { proposalThresholdsOf } from './thresholds';

export async function onnxDownload(db: Db, versionId: string): Promise<{ body: Uint8Array; fileName: string }> {
  const v = await db.modelVersion.findUnique({ where: { id: versionId } });
  if (!v) throw notFound(`Model version ${versionId}`);
  if (v.kind !== 'segmenter') throw invalid(`Model version ${versionId} is a ${v.kind}: only segmenters are exported to ONNX`);
  const stem = `segmenter-v${v.number}`;
  const { graphs, sidecar } = onnxExportOf(absolute(v.path), stem);
  // what the tool proposes with now: the admin's override over the calibrated thresholds
  const exported = { ...sidecar, thresholds: proposalThresholdsOf(v, sidecar.classes) };
  const body = zipSync({
    [sidecar.graphs.dense.file]: graphs.dense,
    [sidecar.graphs.boxHead.file]: graphs.boxHead,
    [sidecar.graphs.maskHead.file]: graphs.maskHead,
    [`${stem}.json`]: new TextEncoder().encode(JSON.stringify(exported, null, 2)),
  });
  return { body, fileName: `${stem}-onnx.zip` };
}
