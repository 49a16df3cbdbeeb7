/**
 * `DepthwiseConv2dNativeBackpropFilter` / `...Input` for the wasm backend, which lacks both (tfjs 4.22).
 * The model's ResNet trunk has no depthwise convolutions; these make depthwise trunks (MobileNet-style)
 * trainable on wasm too. Same constructions as the dense ones, on wasm's DepthwiseConv2dNative kernel:
 *
 * - input: dx[.., c] = Σ_m dy[.., c·M+m] ⋆ flipped f[.., c, m] — the dense construction (backpropInputAsConv)
 *   as a depthwise conv over the C·M channels of dy (multiplier 1), then a sum over m.
 * - filter: dW[i,j,c,m] = Σ_{n,p,q} xPad[n, p·s+i·d, q·s+j·d, c] · dy[n,p,q,c·M+m] — a depthwise "valid" conv
 *   whose channels are (n, c, m) (x repeated M times), whose filter is dy, with stride d and dilation s;
 *   then a sum over n.
 */
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@/lib/model/tf';
import { convGradGeometry, swappedRoleConvAttrs, type ConvPad } from './convGeometry';
import { backpropInputAsConv } from './backpropInputAsConv';
import { withKernelCalls } from './kernelCalls';

interface Attrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: ConvPad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap };

export function depthwiseConv2dNativeBackpropInputKernel(backendName: string): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Args) => {
    const { dy, filter } = inputs;
    const a = attrs as unknown as Attrs & { inputShape: [number, number, number, number] };
    const [, , c, m] = filter.shape;
    const g = convGradGeometry(
      a.inputShape,
      filter.shape as [number, number, number, number],
      a.strides,
      a.dilations,
      a.pad,
      a.dimRoundingMode,
      true,
      undefined,
      'DepthwiseConv2dNativeBackpropInput',
    );
    return withKernelCalls(backend as KernelBackend, backendName, (k) => {
      const dxcm = backpropInputAsConv(k, 'DepthwiseConv2dNative', dy, filter, g); // [N,H,W,C·M]
      if (m === 1) return dxcm;
      const [n, h, w] = dxcm.shape;
      const split = k.run('Reshape', { x: dxcm }, { shape: [n, h, w, c, m] });
      return k.run('Sum', { x: split }, { axis: [4], keepDims: false });
    });
  };
  return { kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName, kernelFunc: kernelFunc as unknown as KernelFunc };
}

export function depthwiseConv2dNativeBackpropFilterKernel(backendName: string): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Args) => {
    const { x, dy } = inputs;
    const a = attrs as unknown as Attrs & { filterShape: [number, number, number, number] };
    const [kh, kw, c, m] = a.filterShape;
    const [n, h, w] = x.shape;
    const [, ho, wo] = dy.shape;
    const g = convGradGeometry(
      x.shape as [number, number, number, number],
      a.filterShape,
      a.strides,
      a.dilations,
      a.pad,
      a.dimRoundingMode,
      true,
      undefined,
      'DepthwiseConv2dNativeBackpropFilter',
    );
    return withKernelCalls(backend as KernelBackend, backendName, (k) => {
      // x repeated over m so that channel (n, c, m) meets dy channel c·M+m of image n.
      const x5 = k.run('Reshape', { x }, { shape: [n, h, w, c, 1] });
      const xm = m === 1 ? x5 : k.run('Tile', { x: x5 }, { reps: [1, 1, 1, 1, m] });
      const xT = k.run('Transpose', { x: xm }, { perm: [1, 2, 0, 3, 4] }); // [H,W,N,C,M]
      const xin = k.run('Reshape', { x: xT }, { shape: [1, h, w, n * c * m] });
      const dyT = k.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [Ho,Wo,N,C·M]
      const dyf = k.run('Reshape', { x: dyT }, { shape: [ho, wo, n * c * m, 1] });
      const full = k.run('DepthwiseConv2dNative', { x: xin, filter: dyf }, swappedRoleConvAttrs(g)); // [1, >=kh, >=kw, N·C·M]
      const cut =
        full.shape[1] === kh && full.shape[2] === kw
          ? full
          : k.run('Slice', { x: full }, { begin: [0, 0, 0, 0], size: [1, kh, kw, n * c * m] });
      const perImage = k.run('Reshape', { x: cut }, { shape: [kh, kw, n, c * m] });
      const summed = k.run('Sum', { x: perImage }, { axis: [2], keepDims: false });
      return k.run('Reshape', { x: summed }, { shape: [kh, kw, c, m] });
    });
  };
  return { kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName, kernelFunc: kernelFunc as unknown as KernelFunc };
}
