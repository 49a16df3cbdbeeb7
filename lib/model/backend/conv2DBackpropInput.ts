/**
 * `Conv2DBackpropInput` for the wasm backend as a convolution on XNNPACK.
 *
 * wasm has this kernel, but as a scalar loop; the same result comes from one stride-1 convolution:
 * insert (s-1) zeros between the rows/columns of dy ("zero insertion"), then convolve with the filter
 * flipped in space and with in/out channels swapped, dilated like the forward filter, padded by
 * (effFilter - 1 - forwardPad) before and whatever makes the output the input size after. A negative
 * amount (explicit forward padding wider than the filter) crops dy instead. It is also the kernel behind
 * `conv2dTranspose`.
 */
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@/lib/model/tf';
import { convGradGeometry, explicitPad, type ConvPad } from './convGeometry';
import { withKernelCalls, type KernelCalls } from './kernelCalls';

interface Attrs {
  strides: number | [number, number];
  pad: ConvPad;
  dataFormat?: string;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
  /** Not passed by tfjs's conv2d gradient (it refuses dilations); honoured when a caller passes it. */
  dilations?: number | [number, number];
}

/** dy [N,Ho,Wo,C] → [N,Ho·sH,Wo·sW,C] with dy at multiples of the stride and zeros between and after. */
export function zeroInsert(k: KernelCalls, dy: TensorInfo, strideH: number, strideW: number): TensorInfo {
  if (strideH === 1 && strideW === 1) return dy;
  const [n, h, w, c] = dy.shape;
  const r = k.run('Reshape', { x: dy }, { shape: [n, h, 1, w, 1, c] });
  const padded = k.run(
    'PadV2',
    { x: r },
    {
      paddings: [
        [0, 0],
        [0, 0],
        [0, strideH - 1],
        [0, 0],
        [0, strideW - 1],
        [0, 0],
      ],
      constantValue: 0,
    },
  );
  return k.run('Reshape', { x: padded }, { shape: [n, h * strideH, w * strideW, c] });
}

/**
 * Pads (positive) or crops (negative) rows/columns of an NHWC map before/after; returns the map to feed
 * the conv and the explicit (non-negative) padding it still needs.
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
  const cropT = Math.max(0, -top);
  const cropB = Math.max(0, -bottom);
  const cropL = Math.max(0, -left);
  const cropR = Math.max(0, -right);
  const cropped =
    cropT + cropB + cropL + cropR === 0
      ? x
      : k.run('Slice', { x }, { begin: [0, cropT, cropL, 0], size: [n, h - cropT - cropB, w - cropL - cropR, c] });
  return {
    x: cropped,
    pad: explicitPad(Math.max(0, top), Math.max(0, bottom), Math.max(0, left), Math.max(0, right)),
  };
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
    return withKernelCalls(backend as KernelBackend, backendName, (k) => {
      const up = zeroInsert(k, dy, g.strideH, g.strideW); // rows: outH·sH
      const top = g.effFilterH - 1 - g.padTop;
      const left = g.effFilterW - 1 - g.padLeft;
      // Output rows = up + top + bottom - effFilter + 1 must equal inH.
      const bottom = g.inH - 1 + g.effFilterH - up.shape[1] - top;
      const right = g.inW - 1 + g.effFilterW - up.shape[2] - left;
      const src = cropForNegativePad(k, up, top, bottom, left, right);
      const flipped = k.run('Reverse', { x: filter }, { dims: [0, 1] });
      const swapped = k.run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }); // [kh,kw,Cout,Cin]
      return k.run(
        'Conv2D',
        { x: src.x, filter: swapped },
        { strides: [1, 1], dilations: [g.dilationH, g.dilationW], pad: src.pad, dataFormat: 'NHWC' },
      );
    });
  };
  return { kernelName: 'Conv2DBackpropInput', backendName, kernelFunc: kernelFunc as unknown as KernelFunc };
}
