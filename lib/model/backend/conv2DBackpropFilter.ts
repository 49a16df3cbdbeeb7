/**
 * `Conv2DBackpropFilter` for the wasm backend, which lacks it (tfjs 4.22).
 *
 * dW[a,b,ci,co] = Σ_{n,i,j} xPad[n, i·s + a·d, j·s + b·d, ci] · dy[n,i,j,co]
 * is itself one "valid" convolution once the roles are swapped: take ci as the batch and n as the channel,
 * i.e. input = x transposed to [Cin,H,W,N] and filter = dy transposed to [Ho,Wo,N,Cout], with the forward
 * dilation d as stride and the forward stride s as dilation. The result [Cin,kh',kw',Cout] is cut to the
 * filter size (VALID / explicit padding can leave unused rows at the end) and transposed to [kh,kw,Cin,Cout].
 * That runs on the backend's XNNPACK Conv2D kernel: one GEMM-shaped call instead of a scalar loop.
 */
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@/lib/model/tf';
import { convGradGeometry, explicitPad, type ConvPad } from './convGeometry';
import { withKernelCalls } from './kernelCalls';

interface Attrs {
  strides: number | [number, number];
  pad: ConvPad;
  dataFormat?: string;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
  /** Not passed by tfjs's conv2d gradient (it refuses dilations); honoured when a caller passes it. */
  dilations?: number | [number, number];
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
    return withKernelCalls(backend as KernelBackend, backendName, (k) => {
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
    });
  };
  return { kernelName: 'Conv2DBackpropFilter', backendName, kernelFunc: kernelFunc as unknown as KernelFunc };
}
