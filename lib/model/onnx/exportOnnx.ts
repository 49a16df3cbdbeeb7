/**
 * Writes a verified model folder (lib/model/io) as ONNX: the three graphs of segmenterGraphs.ts and the
 * sidecar. Everything is written to temporary names first and renamed only when all of it is ready, so a
 * failed export leaves nothing behind and an earlier export intact.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseSegmenterConfig } from '../config';
import { ModelLoadError, readModelDir } from '../io';
import { proposalThresholdsOf } from '@/lib/models/thresholds';
import { ONNX_OPSET } from './graphBuilder';
import { weightsOf } from './layers';
import { ONNX_NAMES, numFeatureLevels, segmenterGraphs, type GraphName } from './segmenterGraphs';
import { exportPaths, ONNX_EXPORT_FORMAT, ONNX_EXPORT_VERSION, type OnnxSidecar } from './sidecar';

const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

export const POSTPROCESSING_DOC = 'dense graph → anchors (torchvision AnchorGenerator, config.anchors) → per-level top-n, decode (config.rpn.boxWeights), clip, NMS → proposals; '
  + 'RoIAlign (torchvision, aligned=false, FPN level mapper) to box_roi_features → box head → softmax, class-wise decode (config.roiHeads.boxWeights), score threshold, per-class NMS; '
  + 'RoIAlign of the detections to mask_roi_features → mask head → each detection\'s own-class 28×28 probabilities pasted into its box (as torchvision paste_masks_in_image). Reference implementation: lib/model/detectionFlow.ts.';

export interface ExportedOnnx {
  files: string[];
  sidecar: OnnxSidecar;
}

/** The graphs and sidecar of a model folder, in memory (what the worker's sessions load, and what the file export writes). */
export function onnxExportOf(modelDir: string, fileStem = 'model'): { graphs: Record<GraphName, Uint8Array>; sidecar: OnnxSidecar } {
  const md = readModelDir(modelDir);
  if (md.manifest.kind !== 'segmenter') throw new ModelLoadError(modelDir, `it holds a ${md.manifest.kind}; only segmenters are exported to ONNX`);
  let config;
  try {
    config = parseSegmenterConfig(md.config);
  } catch (err) {
    throw new ModelLoadError(modelDir, `config.json is not valid (${(err as Error).message})`);
  }
  const graphs = segmenterGraphs(config, weightsOf(md));
  const n = numFeatureLevels(config);
  const file = (g: GraphName) => (g === 'dense' ? `${fileStem}.onnx` : `${fileStem}.${g === 'boxHead' ? 'box_head' : 'mask_head'}.onnx`);
  const t = config.transform;
  const sidecar: OnnxSidecar = {
    format: ONNX_EXPORT_FORMAT,
    version: ONNX_EXPORT_VERSION,
    opset: ONNX_OPSET,
    classes: config.classNames,
    thresholds: proposalThresholdsOf({ proposalThresholds: md.manifest.proposalThresholds, thresholdOverrides: null }, config.classNames),
    preprocessing: {
      windowing: 'grey = DICOM linear VOI (PS3.3 C.11.2.1.2) of the stored pixels (HU) with the slice\'s window width/level, as 0..255, divided by 255 to [0, 1]; PNG/JPEG slices: grey value / 255',
      channels: 'the grey image repeated into 3 channels',
      normalisation: { mean: [...t.imageMean], std: [...t.imageStd] },
      resize: { minSize: t.minSize, maxSize: t.maxSize, method: 'scale = min(minSize / short side, maxSize / long side) in float32, size = floor(side × scale); bilinear, half-pixel centres, no antialias; normalise before resizing' },
      padToMultipleOf: t.sizeDivisible,
      layout: 'NCHW',
    },
    graphs: {
      dense: { file: file('dense'), sha256: sha256(graphs.dense), inputs: [ONNX_NAMES.image], outputs: [...Array.from({ length: n }, (_, i) => ONNX_NAMES.feature(i)), ONNX_NAMES.objectness, ONNX_NAMES.deltas] },
      boxHead: { file: file('boxHead'), sha256: sha256(graphs.boxHead), inputs: [ONNX_NAMES.boxRoiFeatures], outputs: [ONNX_NAMES.classLogits, ONNX_NAMES.boxRegression] },
      maskHead: { file: file('maskHead'), sha256: sha256(graphs.maskHead), inputs: [ONNX_NAMES.maskRoiFeatures], outputs: [ONNX_NAMES.maskProbs] },
    },
    postprocessing: POSTPROCESSING_DOC,
    config,
    source: { weightsSha256: md.manifest.sha256, exportedAt: new Date().toISOString() },
  };
  return { graphs, sidecar };
}

/** Writes `<out>` (dense graph), the two head graphs beside it and `<stem>.json`. */
export function exportOnnx(modelDir: string, out: string): ExportedOnnx {
  if (!/\.onnx$/i.test(out)) throw new Error(`--out ${out}: name the .onnx file to write (e.g. model.onnx)`);
  const dir = path.dirname(path.resolve(out));
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--out ${out}: its folder does not exist`);
  const paths = exportPaths(path.resolve(out));
  const { graphs, sidecar } = onnxExportOf(modelDir, path.basename(out).replace(/\.onnx$/i, ''));
  const writes: [string, Uint8Array | string][] = [
    [paths.dense, graphs.dense], [paths.boxHead, graphs.boxHead], [paths.maskHead, graphs.maskHead],
    [paths.sidecar, JSON.stringify(sidecar, null, 2)],
  ];
  const tmp = (f: string) => `${f}.tmp-${process.pid}`;
  try {
    for (const [f, data] of writes) fs.writeFileSync(tmp(f), data);
  } catch (err) {
    for (const [f] of writes) fs.rmSync(tmp(f), { force: true });
    throw err;
  }
  for (const [f] of writes) fs.renameSync(tmp(f), f);
  return { files: writes.map(([f]) => f), sidecar };
}
