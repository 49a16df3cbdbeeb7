/**
 * The JSON sidecar written beside an exported segmenter (`model.onnx` → `model.json`): what a consumer needs to
 * feed the graphs and read their outputs (classes, per-class thresholds, preprocessing, input and output
 * names, opset), the files and their SHA-256, and the full model config that the TypeScript post-processing
 * (detectionFlow.ts) reads when `npm run predict -- --model model.onnx` runs it back.
 */
import path from 'node:path';
import { z } from 'zod';
import { segmenterConfigSchema } from '../config';
import { classThresholdSchema } from '@/lib/models/thresholds';

export const ONNX_EXPORT_FORMAT = 'ct-mask-studio-onnx';
export const ONNX_EXPORT_VERSION = 1;

const graphSchema = z.object({
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  inputs: z.array(z.string()).min(1),
  outputs: z.array(z.string()).min(1),
});

export const onnxSidecarSchema = z.object({
  format: z.literal(ONNX_EXPORT_FORMAT),
  version: z.literal(ONNX_EXPORT_VERSION),
  opset: z.number().int().positive(),
  /** Foreground classes in label order (label k = classes[k − 1]; 0 is background). */
  classes: z.array(z.string()).min(1),
  /** Per class: the score a detection needs to be proposed and the mask probability its outline follows. */
  thresholds: z.record(z.string(), classThresholdSchema),
  preprocessing: z.object({
    windowing: z.string(),
    channels: z.string(),
    normalisation: z.object({ mean: z.array(z.number()).length(3), std: z.array(z.number()).length(3) }),
    resize: z.object({ minSize: z.number().int().positive(), maxSize: z.number().int().positive(), method: z.string() }),
    padToMultipleOf: z.number().int().positive(),
    layout: z.literal('NCHW'),
  }),
  graphs: z.object({ dense: graphSchema, boxHead: graphSchema, maskHead: graphSchema }),
  postprocessing: z.string(),
  /** The segmenter config (lib/model/config.ts) the graphs were built from. */
  config: segmenterConfigSchema,
  source: z.object({ weightsSha256: z.string(), exportedAt: z.string() }),
});
export type OnnxSidecar = z.infer<typeof onnxSidecarSchema>;

/** `dir/model.onnx` → `dir/model.json`; the head graphs sit beside it as `model.box_head.onnx`, `model.mask_head.onnx`. */
export function exportPaths(onnxFile: string) {
  const dir = path.dirname(onnxFile);
  const stem = path.basename(onnxFile).replace(/\.onnx$/i, '');
  return {
    dense: onnxFile,
    boxHead: path.join(dir, `${stem}.box_head.onnx`),
    maskHead: path.join(dir, `${stem}.mask_head.onnx`),
    sidecar: path.join(dir, `${stem}.json`),
  };
}
