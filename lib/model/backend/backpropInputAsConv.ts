/**
 * The input gradient of a convolution (= the forward pass of a transposed convolution) expressed with the
 * backend's forward convolution kernels, shared by the dense and depthwise kernels.
 *
 * Stride 1: dx is one convolution of dy with the filter flipped in space (and, for dense convs, with in/out
 * channels swapped), dilated like the forward filter, padded by (effFilter - 1 - forwardPad) before and by
 * whatever makes dx the input size after; a negative amount (explicit forward padding wider than the
 * filter) crops dy instead.
 *
 * Stride s > 1: instead of inserting s-1 zeros between dy's pixels (which spends s² times the work on
 * zeros), split dx by phase. Index the padded input z = y + pad = q·s + r. Only filter taps a ≡ r (mod s)
 * reach phase r: dx_r[q] = Σ_t dy[q - t] · w[r + s·t]. So each of the s² phases (r_y, r_x) is a stride-1
 * convolution of dy with a flipped sub-filter (every s-th tap); the phases are then
 * interleaved back into rows and columns with concatenations and reshapes, and the padding cut off.
 * A phase that no tap reaches (filter smaller than the stride, e.g. 1×1 stride 2) is zero.
 */
import type { NamedAttrMap, TensorInfo } from '@/lib/model/tf';
import { explicitPad, type ConvGradGeometry } from './convGeometry';
import type { KernelCalls } from './kernelCalls';

/**
 * How the forward conv kernel wants the flipped filter: dense Conv2D takes [kh, kw, Cout, Cin] (in/out
 * swapped); depthwise takes [kh, kw, C·M, 1], one filter per dy channel, summed over M by the caller.
 */
export type ForwardConv = 'Conv2D' | 'DepthwiseConv2dNative';

interface AxisPhase {
  /** Phase r: taps a = r, r + s, … of the filter reach padded positions z ≡ r (mod s). */
  r: number;
  taps: number;
}

/** Phases of one spatial axis and the number of padded positions per phase. */
function axisPhases(filter: number, stride: number, pad: number, inSize: number): { phases: AxisPhase[]; perPhase: number } {
  const phases: AxisPhase[] = [];
  for (let r = 0; r < stride; r++) phases.push({ r, taps: r < filter ? Math.floor((filter - 1 - r) / stride) + 1 : 0 });
  return { phases, perPhase: Math.ceil((pad + inSize) / stride) };
}

/**
 * The flipped sub-filter f[ty, tx] = w[ry + sy·(Ty-1-ty), rx + sx·(Tx-1-tx)], arranged for `conv`. Built
 * in JS from the filter's values: filters are small next to activations, and wasm's Reverse and
 * StridedSlice kernels cost more than this loop (measured: ~12 ms each on a 2×2×256×256 filter).
 */
function flippedSubFilter(
  k: KernelCalls,
  w: Float32Array,
  shape: number[],
  conv: ForwardConv,
  ry: AxisPhase,
  sy: number,
  rx: AxisPhase,
  sx: number,
): TensorInfo {
  const [, kw, cin, cout] = shape;
  const plane = cin * cout;
  const out = new Float32Array(ry.taps * rx.taps * plane);
  for (let ty = 0; ty < ry.taps; ty++) {
    const a = ry.r + sy * (ry.taps - 1 - ty);
    for (let tx = 0; tx < rx.taps; tx++) {
      const b = rx.r + sx * (rx.taps - 1 - tx);
      const src = (a * kw + b) * plane;
      const dst = (ty * rx.taps + tx) * plane;
      if (conv === 'DepthwiseConv2dNative') {
        out.set(w.subarray(src, src + plane), dst); // [C, M] is already [C·M, 1]
      } else {
        for (let ci = 0; ci < cin; ci++) for (let co = 0; co < cout; co++) out[dst + co * cin + ci] = w[src + ci * cout + co];
      }
    }
  }
  const arranged = conv === 'DepthwiseConv2dNative' ? [ry.taps, rx.taps, plane, 1] : [ry.taps, rx.taps, cout, cin];
  return k.write(out, arranged);
}

/**
 * Pads (positive amounts) or crops (negative amounts) an NHWC map: returns the map to feed the conv and
 * the explicit, non-negative padding the conv still has to add.
 */
export function cropForNegativePad(
  k: KernelCalls,
  x: TensorInfo,
  top: number,
  bottom: number,
  left: number,
  right: number,
): { x: TensorInfo; pad: ReturnType<typeof explicitPad> } {
  const [n, h, w, c] = x.shape;
  const [cropT, cropB, cropL, cropR] = [top, bottom, left, right].map((p) => Math.max(0, -p));
  const cropped =
    cropT + cropB + cropL + cropR === 0
      ? x
      : k.run('Slice', { x }, { begin: [0, cropT, cropL, 0], size: [n, h - cropT - cropB, w - cropL - cropR, c] });
  return { x: cropped, pad: explicitPad(Math.max(0, top), Math.max(0, bottom), Math.max(0, left), Math.max(0, right)) };
}

/**
 * dx [N, inH, inW, channels] of the forward conv with geometry `g`, from dy and the forward filter
 * (dense [kh, kw, Cin, Cout] → channels = Cin; depthwise [kh, kw, C, M] → channels = C·M, per dy channel).
 */
export function backpropInputAsConv(
  k: KernelCalls,
  conv: ForwardConv,
  dy: TensorInfo,
  filter: TensorInfo,
  g: ConvGradGeometry,
): TensorInfo {
  const convAttrs = (pad: ReturnType<typeof explicitPad>, dilations: [number, number]): NamedAttrMap =>
    conv === 'Conv2D' ? { strides: [1, 1], dilations, pad, dataFormat: 'NHWC' } : { strides: [1, 1], dilations, pad };
  const [n, ho, wo] = dy.shape;
  const w = k.read(filter);
  const channels = conv === 'Conv2D' ? filter.shape[2] : filter.shape[2] * filter.shape[3];

  if (g.strideH === 1 && g.strideW === 1) {
    const all = (size: number): AxisPhase => ({ r: 0, taps: size });
    const flipped = flippedSubFilter(k, w, filter.shape, conv, all(g.filterH), 1, all(g.filterW), 1);
    const top = g.effFilterH - 1 - g.padTop;
    const left = g.effFilterW - 1 - g.padLeft;
    // output rows = ho + top + bottom - effFilter + 1 must equal inH
    const src = cropForNegativePad(k, dy, top, g.inH + g.padTop - ho, left, g.inW + g.padLeft - wo);
    return k.run(conv, { x: src.x, filter: flipped }, convAttrs(src.pad, [g.dilationH, g.dilationW]));
  }
  if (g.dilationH !== 1 || g.dilationW !== 1) {
    throw new Error('conv input gradient: stride and dilation both above 1 is not supported (tf.conv2d refuses it too)');
  }

  const rowsPh = axisPhases(g.filterH, g.strideH, g.padTop, g.inH);
  const colsPh = axisPhases(g.filterW, g.strideW, g.padLeft, g.inW);
  const qh = rowsPh.perPhase;
  const qw = colsPh.perPhase;

  const phase = (py: AxisPhase, px: AxisPhase): TensorInfo => {
    if (py.taps === 0 || px.taps === 0) {
      return k.run('Fill', {}, { shape: [n, qh, qw, channels], value: 0, dtype: 'float32' });
    }
    const sub = flippedSubFilter(k, w, filter.shape, conv, py, g.strideH, px, g.strideW);
    // dx_r[q] = Σ_t dy[q - t]·w[r + s·t], q ∈ [0, perPhase): taps-1 rows of padding before, the rest after
    const src = cropForNegativePad(k, dy, py.taps - 1, qh - ho, px.taps - 1, qw - wo);
    return k.run(conv, { x: src.x, filter: sub }, convAttrs(src.pad, [1, 1])); // [N, qh, qw, channels]
  };

  // Interleave: columns within each row phase, then the row phases; z = q·s + r on both axes.
  // (Concatenations: a 5-D transpose of the stacked phases measured 8× slower on wasm.)
  const rowPhases = rowsPh.phases.map((py) => {
    const cols = colsPh.phases.map((px) => k.run('Reshape', { x: phase(py, px) }, { shape: [n * qh, qw, 1, channels] }));
    const joined = cols.length === 1 ? cols[0] : k.run('Concat', cols as never, { axis: 2 }); // [N·qh, qw, sx, C]
    return k.run('Reshape', { x: joined }, { shape: [n * qh, 1, qw * g.strideW * channels] });
  });
  const grid = rowPhases.length === 1 ? rowPhases[0] : k.run('Concat', rowPhases as never, { axis: 1 });
  const padded = k.run('Reshape', { x: grid }, { shape: [n, qh * g.strideH, qw * g.strideW, channels] });
  return k.run('Slice', { x: padded }, { begin: [0, g.padTop, g.padLeft, 0], size: [n, g.inH, g.inW, channels] });
}
