/**
 * `Conv2DBackpropFilter` for the wasm backend, which lacks it (tfjs 4.22). Two formulations, both on
 * XNNPACK, chosen by shape (scripts/bench-kernels.ts measures both):
 *
 * - im2col + GEMM (stride 1, dilation 1, up to IM2COL_MAX_POSITIONS output positions): the k² shifted
 *   windows of the padded input, laid out channel-major as one [k²·Cin, P] matrix, times dy as [P, Cout].
 *   About twice as fast as the convolution below on the stride-16 and stride-8 maps and the mask head;
 *   on larger maps building the columns costs more than it saves.
 * - one "valid" convolution with the roles swapped (every other shape):
 *   dW[a,b,ci,co] = Σ_{n,i,j} xPad[n, i·s + a·d, j·s + b·d, ci] · dy[n,i,j,co]
 *   takes ci as the batch and n as the channel, i.e. input = x transposed to [Cin,H,W,N] and filter = dy
 *   transposed to [Ho,Wo,N,Cout], with the forward dilation d as stride and the forward stride s as
 *   dilation. The result [Cin,kh',kw',Cout] is cut to the filter size (VALID / explicit padding can leave
 *   unused rows at the end) and transposed to [kh,kw,Cin,Cout].
 */
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@/lib/model/tf';
import { convGradGeometry, explicitPad, type ConvGradGeometry, type ConvPad } from './convGeometry';
import { withKernelCalls, type KernelCalls } from './kernelCalls';

interface Attrs {
  strides: number | [number, number];
  pad: ConvPad;
  dataFormat?: string;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
  /** Not passed by tfjs's conv2d gradient (it refuses dilations); honoured when a caller passes it. */
  dilations?: number | [number, number];
}

/** Above this many output positions (N·Ho·Wo) the column matrix costs more than the convolution it replaces. */
export const IM2COL_MAX_POSITIONS = 8192;

export function usesIm2col(g: ConvGradGeometry, batch: number): boolean {
  return g.strideH === 1 && g.strideW === 1 && g.dilationH === 1 && g.dilationW === 1 && batch * g.outH * g.outW <= IM2COL_MAX_POSITIONS;
}

/** dW as [k²·Cin, P]·[P, Cout]; the columns are built channel-major so that no transposed GEMM is needed. */
function filterGradIm2col(k: KernelCalls, x: TensorInfo, dy: TensorInfo, g: ConvGradGeometry): TensorInfo {
  const [n, , , cin] = x.shape;
  const cout = dy.shape[3];
  const positions = n * g.outH * g.outW;
  const xT = k.run('Transpose', { x }, { perm: [3, 0, 1, 2] }); // [Cin,N,H,W]
  const padded = k.run('PadV2', { x: xT }, {
    paddings: [[0, 0], [0, 0], [g.padTop, g.padBottom], [g.padLeft, g.padRight]],
    constantValue: 0,
  });
  const windows: TensorInfo[] = [];
  for (let a = 0; a < g.filterH; a++) {
    for (let b = 0; b < g.filterW; b++) {
      const w = k.run('Slice', { x: padded }, { begin: [0, 0, a, b], size: [cin, n, g.outH, g.outW] });
      windows.push(k.run('Reshape', { x: w }, { shape: [cin, positions] }));
    }
  }
  const columns = windows.length === 1 ? windows[0] : k.run('Concat', windows as unknown as Record<string, TensorInfo>, { axis: 0 });
  const a3 = k.run('Reshape', { x: columns }, { shape: [1, g.filterH * g.filterW * cin, positions] });
  const b3 = k.run('Reshape', { x: dy }, { shape: [1, positions, cout] });
  const product = k.run('BatchMatMul', { a: a3, b: b3 }, { transposeA: false, transposeB: false });
  return k.run('Reshape', { x: product }, { shape: [g.filterH, g.filterW, cin, cout] });
}

/** dW as one convolution of the transposed input with the transposed output gradient (see above). */
function filterGradAsConv(k: KernelCalls, x: TensorInfo, dy: TensorInfo, g: ConvGradGeometry, cin: number, cout: number): TensorInfo {
  const xT = k.run('Transpose', { x }, { perm: [3, 1, 2, 0] }); // [Cin,H,W,N]
  const dyT = k.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [Ho,Wo,N,Cout]
  const full = k.run(
    'Conv2D',
    { x: xT, filter: dyT },
    {
      strides: [g.dilationH, g.dilationW],
      dilations: [g.strideH, g.strideW],
      pad: explicitPad(g.padTop, g.padBottom, g.padLeft, g.padRight),
      dataFormat: 'NHWC',
    },
  ); // [Cin, >=kh, >=kw, Cout]
  const cut =
    full.shape[1] === g.filterH && full.shape[2] === g.filterW
      ? full
      : k.run('Slice', { x: full }, { begin: [0, 0, 0, 0], size: [cin, g.filterH, g.filterW, cout] });
  return k.run('Transpose', { x: cut }, { perm: [1, 2, 0, 3] });
}

export function conv2DBackpropFilterKernel(backendName: string): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap }) => {
    const { x, dy } = inputs;
    const a = attrs as unknown as Attrs;
    const [, , cin, cout] = a.filterShape;
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
      usesIm2col(g, x.shape[0]) ? filterGradIm2col(k, x, dy, g) : filterGradAsConv(k, x, dy, g, cin, cout),
    );
  };
  return { kernelName: 'Conv2DBackpropFilter', backendName, kernelFunc: kernelFunc as unknown as KernelFunc };
}
