/**
 * `Conv2DBackpropInput` for the wasm backend, on its XNNPACK Conv2D kernel (see backpropInputAsConv.ts).
 * wasm has this kernel, but as a scalar loop; this one is faster at every shape measured by
 * scripts/bench-kernels.ts. It is also the forward pass of `conv2dTranspose` (the mask head's up-conv).
 */
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@/lib/model/tf';
import { backpropInputAsConv } from './backpropInputAsConv';
import { convGradGeometry, type ConvPad } from './convGeometry';
import { withKernelCalls } from './kernelCalls';

interface Attrs {
  strides: number | [number, number];
  pad: ConvPad;
  dataFormat?: string;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
  /** Not passed by tfjs's conv2d gradient (it refuses dilations); honoured when a caller passes it. */
  dilations?: number | [number, number];
}

export function conv2DBackpropInputKernel(backendName: string): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap }) => {
    const { dy, filter } = inputs;
    const a = attrs as unknown as Attrs;
    const g = convGradGeometry(
      a.inputShape,
      filter.shape as [number, number, number, number],
      a.strides,
      a.dilations,
      a.pad,
      a.dimRoundingMode,
      false,
      a.dataFormat,
      'Conv2DBackpropInput',
    );
    return withKernelCalls(backend as KernelBackend, backendName, (k) => backpropInputAsConv(k, 'Conv2D', dy, filter, g));
  };
  return { kernelName: 'Conv2DBackpropInput', backendName, kernelFunc: kernelFunc as unknown as KernelFunc };
}
