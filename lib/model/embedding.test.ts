import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeSegmenterConfig } from './config';
import { sliceEmbedding } from './embedding';
import { MaskRcnn } from './maskRcnn';
import { OnnxSegmenter } from './onnx/session';
import { useTestBackend } from './train/testBackend';

describe('slice embedding (core-set descriptor)', () => {
  beforeAll(async () => { await useTestBackend(); });

  it('is the same on both inference backends, one value per feature channel, and tells two slices apart', async () => {
    const model = new MaskRcnn(makeSegmenterConfig('tiny', 'both', { transform: { minSize: 64, maxSize: 64 } }), 9);
    const onnx = await OnnxSegmenter.fromModel(model, { ort, threads: 1 });
    try {
      const slice = (f: (i: number) => number) => ({ height: 64, width: 64, pixels: Float32Array.from({ length: 64 * 64 }, (_, i) => f(i)) });
      const a = slice((i) => ((i * 7) % 50) / 50), b = slice((i) => (i % 64 < 32 ? 0.8 : 0.1));
      const wasm = await sliceEmbedding(model, a);
      const native = await sliceEmbedding(onnx, a);
      expect(wasm).toHaveLength(model.config.backbone.outChannels);
      expect(Math.max(...wasm.map((v, k) => Math.abs(v - native[k])))).toBeLessThan(1e-4);
      const other = await sliceEmbedding(model, b);
      expect(Math.max(...wasm.map((v, k) => Math.abs(v - other[k])))).toBeGreaterThan(1e-3);
    } finally {
      onnx.dispose();
      model.dispose();
    }
  });
});
