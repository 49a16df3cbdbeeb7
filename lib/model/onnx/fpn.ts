/**
 * The FPN of backbones/fpn.ts as ONNX nodes: 1×1 laterals, top-down nearest upsampling (tf's
 * resizeNearestNeighbor without half-pixel centres = Resize asymmetric / floor), 3×3 outputs; plus the
 * LastLevelMaxPool level of backbones/index.ts when the config asks for it.
 */
import type { SegmenterConfig } from '../config';
import type { GraphBuilder } from './graphBuilder';
import { conv, type Weights } from './layers';

export function fpn(g: GraphBuilder, w: Weights, cfg: SegmenterConfig['backbone'], stages: string[], prefix = 'backbone.fpn'): string[] {
  const feats = cfg.fpnStages.map((s) => stages[s]);
  const last = feats.length - 1;
  const out: string[] = new Array(feats.length);
  let inner = conv(g, w, `${prefix}.inner.${last}`, feats[last], { bias: true });
  out[last] = conv(g, w, `${prefix}.layer.${last}`, inner, { bias: true });
  for (let i = last - 1; i >= 0; i--) {
    const lat = conv(g, w, `${prefix}.inner.${i}`, feats[i], { bias: true });
    const up = g.node('Resize', [inner, '', '', g.node('Shape', [lat])], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
    inner = g.node('Add', [lat, up]);
    out[i] = conv(g, w, `${prefix}.layer.${i}`, inner, { bias: true });
  }
  if (cfg.fpnExtraPool) out.push(g.node('MaxPool', [out[last]], { kernel_shape: [1, 1], strides: [2, 2] }));
  return out;
}
