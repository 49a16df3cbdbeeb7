/**
 * The forward geometry that both convolution gradients (filter and input) are derived from, in NHWC.
 */
import { backend_util } from '@/lib/model/tf';

export type ConvPad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

export interface ConvGradGeometry {
  /** Forward strides and dilations. */
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  filterH: number;
  filterW: number;
  /** (filter - 1) * dilation + 1 */
  effFilterH: number;
  effFilterW: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  /** Forward padding, resolved from SAME / VALID / explicit numbers. */
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
}

export function convGradGeometry(
  inShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  dilations: number | [number, number] | undefined,
  pad: ConvPad,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  depthwise: boolean,
  dataFormat: string | undefined,
  kernelName: string,
): ConvGradGeometry {
  if (dataFormat != null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernelName} on wasm supports NHWC only (got dataFormat '${dataFormat}')`);
  }
  const info = backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  return {
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    dilationH: info.dilationHeight,
    dilationW: info.dilationWidth,
    filterH: info.filterHeight,
    filterW: info.filterWidth,
    effFilterH: info.effectiveFilterHeight,
    effFilterW: info.effectiveFilterWidth,
    inH: info.inHeight,
    inW: info.inWidth,
    outH: info.outHeight,
    outW: info.outWidth,
    padTop: info.padInfo.top,
    padBottom: info.padInfo.bottom,
    padLeft: info.padInfo.left,
    padRight: info.padInfo.right,
  };
}

/** Explicit NHWC padding for a conv; negative amounts are not allowed there (crop instead). */
export function explicitPad(top: number, bottom: number, left: number, right: number): backend_util.ExplicitPadding {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

/**
 * Attributes of the filter gradient computed as a forward convolution with the roles swapped (the input as the
 * batch-of-channels image, dy as the filter): the forward dilation becomes the stride, the forward stride the
 * dilation, and the forward padding is applied explicitly.
 */
export function swappedRoleConvAttrs(g: ConvGradGeometry): { strides: [number, number]; dilations: [number, number]; pad: backend_util.ExplicitPadding } {
  return {
    strides: [g.dilationH, g.dilationW],
    dilations: [g.strideH, g.strideW],
    pad: explicitPad(g.padTop, g.padBottom, g.padLeft, g.padRight),
  };
}
