/**
 * The layer types of lib/model/layers.ts as ONNX nodes (NCHW inside the graphs), reading their parameters by
 * the same names from a model's stored weights. Layout conversions live here only:
 *   conv        tf [k, k, cin, cout]      → ONNX Conv weight [cout, cin, k, k]; 'same' padding = SAME_UPPER
 *   linear      tf [in, out] (x·W + b)    → Gemm(x, W, b) as is
 *   convT 2×2   tf [cin, 4·cout] ((i·2+j)·cout + c) → ConvTranspose weight [cin, cout, 2, 2]
 *   group norm  torch semantics            → InstanceNormalization on [N, G, C/G·H·W], then per-channel γ, β
 */
import type { ModelDir } from '../io';
import type { ParamStore } from '../layers';
import { GROUP_NORM_EPSILON } from '../groupNorm';
import type { GraphBuilder } from './graphBuilder';

export interface StoredParam {
  data: Float32Array;
  shape: number[];
}

/** A model's parameters by name, as lib/model/io stores them. */
export type Weights = (name: string) => StoredParam;

export function weightsOf(md: Pick<ModelDir, 'manifest' | 'weights'>): Weights {
  const byName = new Map<string, StoredParam>();
  let o = 0;
  for (const w of md.manifest.weights) {
    const size = w.shape.reduce((a, b) => a * b, 1);
    byName.set(w.name, { data: md.weights.subarray(o, o + size), shape: w.shape });
    o += size;
  }
  return (name) => {
    const p = byName.get(name);
    if (!p) throw new Error(`the model has no parameter ${name} (its weights do not match its config)`);
    return p;
  };
}

/** The parameters of a model in memory (a freshly built or trained MaskRcnn's store). */
export function weightsOfParamStore(ps: ParamStore): Weights {
  return (name) => {
    if (!ps.has(name)) throw new Error(`the model has no parameter ${name}`);
    const v = ps.get(name);
    return { data: v.dataSync() as Float32Array, shape: v.shape };
  };
}

/** [k, k, cin, cout] → [cout, cin, k, k]. */
function convKernelToOihw({ data, shape: [kh, kw, cin, cout] }: StoredParam): Float32Array {
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = data[((y * kw + x) * cin + i) * cout + o];
  return out;
}

export function conv(g: GraphBuilder, w: Weights, name: string, x: string, opts: { stride?: number; bias?: boolean; relu?: boolean } = {}): string {
  const k = w(`${name}.weight`);
  const [kh, kw, cin, cout] = k.shape;
  const inputs = [x, g.weight(`${name}.weight`, convKernelToOihw(k), [cout, cin, kh, kw])];
  if (opts.bias) inputs.push(g.weight(`${name}.bias`, w(`${name}.bias`).data, [cout]));
  const s = opts.stride ?? 1;
  // TF's 'same' puts the odd padding pixel at the bottom / right, as SAME_UPPER does.
  const y = g.node('Conv', inputs, { kernel_shape: [kh, kw], strides: [s, s], auto_pad: 'SAME_UPPER' }, 'conv');
  return opts.relu ? g.node('Relu', [y]) : y;
}

/** GroupNorm of layers.groupNorm (`${name}.norm.weight` / `.bias`, groups capped at the channels). */
export function groupNorm(g: GraphBuilder, w: Weights, name: string, x: string, groups: number): string {
  const gamma = w(`${name}.norm.weight`);
  const c = gamma.shape[0];
  const groupsUsed = Math.min(groups, c);
  const grouped = g.node('Reshape', [x, g.int64('gn_shape', [0, groupsUsed, -1])]);
  const normed = g.node('InstanceNormalization', [grouped, g.weight(`${name}.norm.unit_scale`, new Float32Array(groupsUsed).fill(1), [groupsUsed]), g.weight(`${name}.norm.zero_bias`, new Float32Array(groupsUsed), [groupsUsed])], { epsilon: GROUP_NORM_EPSILON });
  const back = g.node('Reshape', [normed, g.node('Shape', [x])]);
  const scaled = g.node('Mul', [back, g.weight(`${name}.norm.weight`, gamma.data, [c, 1, 1])]);
  return g.node('Add', [scaled, g.weight(`${name}.norm.bias`, w(`${name}.norm.bias`).data, [c, 1, 1])]);
}

export function linear(g: GraphBuilder, w: Weights, name: string, x: string, relu: boolean): string {
  const weight = w(`${name}.weight`);
  const y = g.node('Gemm', [x, g.weight(`${name}.weight`, weight.data, weight.shape), g.weight(`${name}.bias`, w(`${name}.bias`).data, [weight.shape[1]])]);
  return relu ? g.node('Relu', [y]) : y;
}

export function convTranspose2x2(g: GraphBuilder, w: Weights, name: string, x: string, relu: boolean): string {
  const { data, shape: [cin, four] } = w(`${name}.weight`);
  const cout = four / 4;
  const k = new Float32Array(data.length);
  for (let i = 0; i < cin; i++)
    for (let b = 0; b < 4; b++)
      for (let o = 0; o < cout; o++) k[((i * cout + o) * 4) + b] = data[i * four + b * cout + o];
  const y = g.node('ConvTranspose', [x, g.weight(`${name}.weight`, k, [cin, cout, 2, 2]), g.weight(`${name}.bias`, w(`${name}.bias`).data, [cout])], { kernel_shape: [2, 2], strides: [2, 2] });
  return relu ? g.node('Relu', [y]) : y;
}

export const toNhwc = (g: GraphBuilder, x: string) => g.node('Transpose', [x], { perm: [0, 2, 3, 1] });
export const toNchw = (g: GraphBuilder, x: string) => g.node('Transpose', [x], { perm: [0, 3, 1, 2] });
