/**
 * `Conv2DBackpropFilter` for the wasm backend, which lacks it (tfjs 4.22). Two formulations, both ending in
 * XNNPACK's GEMM, chosen by shape (scripts/bench-kernels.ts measures both):
 *
 * - im2col + GEMM (the default): the k² strided, dilated windows of the padded input, written by a JS loop
 *   straight into one channel-major [k²·Cin, P] matrix, times dy as [P, Cout]. 1.1–7× faster than the
 *   convolution below at every shape of a `light` step (2× over the whole step's filter gradients).
 * - one "valid" convolution with the roles swapped, where the column matrix would exceed
 *   `maxColumnElements` (memory, on very large images):
 *   dW[a,b,ci,co] = Σ_{n,i,j} xPad[n, i·s + a·d, j·s + b·d, ci] · dy[n,i,j,co]
 *   takes ci as the batch and n as the channel, i.e. input = x transposed to [Cin,H,W,N] and filter = dy
 *   transposed to [Ho,Wo,N,Cout], with the forward dilation d as stride and the forward stride s as
 *   dilation. The result [Cin,kh',kw',Cout] is cut to the filter size (VALID / explicit padding can leave
 *   unused rows at the end) and transposed to [kh,kw,Cin,Cout].
 */
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@/lib/model/tf';
import { convGradGeometry, swappedRoleConvAttrs, type ConvGradGeometry, type ConvPad } from './convGeometry';
import { withKernelCalls, type KernelCalls, type Values } from './kernelCalls';

interface Attrs {
  strides: number | [number, number];
  pad: ConvPad;
  dataFormat?: string;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
  /** Not passed by tfjs's conv2d gradient (it refuses dilations); honoured when a caller passes it. */
  dilations?: number | [number, number];
}

/** Largest column matrix (k²·Cin·N·Ho·Wo floats) built: 256 MiB; a 512 px `light` step needs at most 50 MiB. */
export const IM2COL_MAX_COLUMN_ELEMENTS = 64 * 2 ** 20;

export function usesIm2col(g: ConvGradGeometry, xShape: readonly number[], maxColumnElements = IM2COL_MAX_COLUMN_ELEMENTS): boolean {
  const [batch, , , cin] = xShape;
  return g.filterH * g.filterW * cin * batch * g.outH * g.outW <= maxColumnElements;
}

/**
 * The column matrix of NHWC `x` for the filter gradient, channel-major: row (a·kw + b)·Cin + ci, column
 * p = (n·Ho + i)·Wo + j holds xPad[n, i·s + a·d, j·s + b·d, ci], 0 where that falls in the padding.
 * Loops output row by output row so that the input rows it reads stay in cache.
 */
export function im2colChannelMajor(x: Values, xShape: readonly number[], g: ConvGradGeometry, out: Float32Array): void {
  const [batch, inH, inW, cin] = xShape;
  const { outH, outW, filterH, filterW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = g;
  const positions = batch * outH * outW;
  out.fill(0);
  for (let n = 0; n < batch; n++) {
    for (let i = 0; i < outH; i++) {
      const column = (n * outH + i) * outW;
      for (let a = 0; a < filterH; a++) {
        const y = i * strideH + a * dilationH - padTop;
        if (y < 0 || y >= inH) continue;
        const xRow = (n * inH + y) * inW;
        for (let b = 0; b < filterW; b++) {
          const shift = b * dilationW - padLeft;
          // output columns j whose input column j·s + shift lies inside [0, W)
          const j0 = Math.max(0, Math.ceil(-shift / strideW));
          const j1 = Math.min(outW, Math.floor((inW - 1 - shift) / strideW) + 1);
          const rowBase = (a * filterW + b) * cin;
          const step = strideW * cin;
          for (let c = 0; c < cin; c++) {
            const o = (rowBase + c) * positions + column;
            let src = (xRow + j0 * strideW + shift) * cin + c;
            for (let j = j0; j < j1; j++, src += step) out[o + j] = x[src];
          }
        }
      }
    }
  }
}

/** dW as [k²·Cin, P]·[P, Cout]; the columns are channel-major so that no transposed GEMM is needed. */
function filterGradIm2col(k: KernelCalls, x: TensorInfo, dy: TensorInfo, g: ConvGradGeometry): TensorInfo {
  const cin = x.shape[3];
  const cout = dy.shape[3];
  const positions = x.shape[0] * g.outH * g.outW;
  const rows = g.filterH * g.filterW * cin;
  const columns = k.compute([1, rows, positions], [x], (out, [xValues]) => im2colChannelMajor(xValues, x.shape, g, out));
  const dy3 = k.run('Reshape', { x: dy }, { shape: [1, positions, cout] });
  const product = k.run('BatchMatMul', { a: columns, b: dy3 }, { transposeA: false, transposeB: false });
  return k.run('Reshape', { x: product }, { shape: [g.filterH, g.filterW, cin, cout] });
}

/** dW as one convolution of the transposed input with the transposed output gradient (see above). */
function filterGradAsConv(k: KernelCalls, x: TensorInfo, dy: TensorInfo, g: ConvGradGeometry): TensorInfo {
  const xT = k.run('Transpose', { x }, { perm: [3, 1, 2, 0] }); // [Cin,H,W,N]
  const dyT = k.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [Ho,Wo,N,Cout]
  const full = k.run('Conv2D', { x: xT, filter: dyT }, { ...swappedRoleConvAttrs(g), dataFormat: 'NHWC' }); // [Cin, >=kh, >=kw, Cout]
  const cut =
    full.shape[1] === g.filterH && full.shape[2] === g.filterW
      ? full
      : k.run('Slice', { x: full }, { begin: [0, 0, 0, 0], size: [x.shape[3], g.filterH, g.filterW, dy.shape[3]] });
  return k.run('Transpose', { x: cut }, { perm: [1, 2, 0, 3] });
}

export function conv2DBackpropFilterKernel(backendName: string, { maxColumnElements = IM2COL_MAX_COLUMN_ELEMENTS } = {}): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap }) => {
    const { x, dy } = inputs;
    const a = attrs as unknown as Attrs;
    const g = convGradGeometry(
      x.shape as [number, number, number, number],
      a.filterShape,
      a.strides,
      a.dilations,
      a.pad,
      a.dimRoundingMode,
      false,
      a.dataFormat,
      'Conv2DBackpropFilter',
    );
    return withKernelCalls(backend as KernelBackend, backendName, (k) =>
      usesIm2col(g, x.shape, maxColumnElements) ? filterGradIm2col(k, x, dy, g) : filterGradAsConv(k, x, dy, g),
    );
  };
  return { kernelName: 'Conv2DBackpropFilter', backendName, kernelFunc: kernelFunc as unknown as KernelFunc };
}
