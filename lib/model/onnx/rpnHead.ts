/**
 * The RPN head of rpn.ts as ONNX nodes, shared over the levels (3×3 conv + ReLU, 1×1 objectness, 1×1 deltas),
 * flattened as anchors.flattenRpnHead does: NHWC order (y, x, anchor), deltas [.., 4].
 */
import type { GraphBuilder } from './graphBuilder';
import { conv, toNhwc, type Weights } from './layers';

export function rpnHead(g: GraphBuilder, w: Weights, levels: string[]): { objectness: string; deltas: string } {
  const obj: string[] = [];
  const del: string[] = [];
  for (const f of levels) {
    const t = conv(g, w, 'rpn.head.conv', f, { bias: true, relu: true });
    obj.push(g.node('Reshape', [toNhwc(g, conv(g, w, 'rpn.head.cls_logits', t, { bias: true })), g.int64('rpn_obj_shape', [1, -1])]));
    del.push(g.node('Reshape', [toNhwc(g, conv(g, w, 'rpn.head.bbox_pred', t, { bias: true })), g.int64('rpn_del_shape', [1, -1, 4])]));
  }
  const cat = (xs: string[], axis: number) => (xs.length === 1 ? xs[0] : g.node('Concat', xs, { axis }));
  return { objectness: cat(obj, 1), deltas: cat(del, 1) };
}
