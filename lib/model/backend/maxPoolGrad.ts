/**
 * `MaxPoolGrad` for the wasm backend, replacing its built-in kernel: faster, and with the cpu backend's tie
 * rule. (The ResNet stem's max-pool follows a ReLU, so its windows often hold several equal maxima — zeros —
 * and wasm's kernel routes some of those gradients to another of them than cpu does.)
 *
 * Semantics, bit for bit those of tfjs-backend-cpu (maxPoolPositions + maxPoolGrad):
 * - each output's gradient goes to the FIRST maximum of its window in row-major order (strict `>` from
 *   -Infinity, so NaN is never picked); padding is not part of the window;
 * - a window without any value > -Infinity (all -Infinity or NaN, or wholly in padding) passes nothing on;
 * - an input that is the maximum of several overlapping windows receives the sum of their dy, added in
 *   row-major window order in float64 and rounded once to float32.
 * The forward output `y` is not used: "first x equal to y" would depend on how the forward kernel treats NaN.
 */
import { backend_util, type KernelBackend, type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@/lib/model/tf';
import { withKernelCalls, type Values } from './kernelCalls';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

interface Attrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  /** Not an attribute of tfjs's MaxPoolGrad; refused unless 1 when a caller passes it. */
  dilations?: number | [number, number];
}

interface PoolGeometry {
  batch: number;
  channels: number;
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

function poolGeometry(xShape: number[], a: Attrs): PoolGeometry {
  const dilations = a.dilations ?? 1;
  const [dh, dw] = typeof dilations === 'number' ? [dilations, dilations] : dilations;
  if (dh !== 1 || dw !== 1) {
    throw new Error(`MaxPoolGrad on wasm supports dilation 1 only (got dilations ${JSON.stringify(dilations)})`);
  }
  if (xShape.length !== 4) throw new Error(`MaxPoolGrad expects a rank-4 NHWC input (got shape [${xShape}])`);
  const info = backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  return {
    batch: info.batchSize,
    channels: info.inChannels,
    inH: info.inHeight,
    inW: info.inWidth,
    outH: info.outHeight,
    outW: info.outWidth,
    filterH: info.filterHeight,
    filterW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * dx for one max-pool: dx must have x's size; every element is written. x and dy are NHWC, dy of the pool's
 * output shape.
 *
 * One pass over the outputs in NHWC order, channels innermost (contiguous reads of x): find each window's
 * first maximum per channel and add dy there. Sums go into float64 rows, one per input row that a window
 * can still reach: `filterH` rows, used as a ring. Once the windows have moved below an input row, the row
 * is rounded into dx (rows no window covers become zeros). Visiting the outputs in row-major order adds
 * each input's terms in cpu's order, and float64 sums rounded once reproduce cpu's values bit for bit.
 */
function maxPoolGradValues(x: Values, dy: Values, dx: Float32Array, g: PoolGeometry): void {
  const { batch, channels: C, inH, inW, outH, outW, filterH, filterW, strideH, strideW, padTop, padLeft } = g;
  const rowLen = inW * C;
  const ring = new Float64Array(filterH * rowLen);
  const slotOf = (r: number) => (r % filterH) * rowLen;
  // float64 holds any float32 or int32 input exactly, so the comparisons are cpu's
  const best = new Float64Array(C);
  const at = new Int32Array(C); // ring index of the current maximum, -1 for none yet
  for (let b = 0; b < batch; b++) {
    const xBatch = b * inH * rowLen;
    // input rows [done, open) live in the ring; rows below `done` are final in dx
    let done = 0;
    let open = 0;
    const finishRowsBelow = (end: number) => {
      for (; done < end; done++) {
        const d = xBatch + done * rowLen;
        if (done < open) dx.set(ring.subarray(slotOf(done), slotOf(done) + rowLen), d);
        else dx.fill(0, d, d + rowLen);
      }
      open = Math.max(open, done);
    };
    for (let yR = 0; yR < outH; yR++) {
      const rCorner = yR * strideH - padTop;
      const r0 = Math.max(0, rCorner);
      const r1 = Math.min(inH, rCorner + filterH);
      finishRowsBelow(Math.min(r0, inH)); // later windows start at row r0 or further down
      for (; open < r1; open++) ring.fill(0, slotOf(open), slotOf(open) + rowLen);
      for (let yC = 0; yC < outW; yC++) {
        const cCorner = yC * strideW - padLeft;
        const c0 = Math.max(0, cCorner);
        const c1 = Math.min(inW, cCorner + filterW);
        best.fill(-Infinity);
        at.fill(-1);
        for (let r = r0; r < r1; r++) {
          const slot = slotOf(r);
          for (let c = c0; c < c1; c++) {
            const xBase = xBatch + r * rowLen + c * C;
            const ringBase = slot + c * C;
            for (let ch = 0; ch < C; ch++) {
              const v = x[xBase + ch];
              if (v > best[ch]) {
                best[ch] = v;
                at[ch] = ringBase + ch;
              }
            }
          }
        }
        const oBase = ((b * outH + yR) * outW + yC) * C;
        for (let ch = 0; ch < C; ch++) {
          if (at[ch] >= 0) ring[at[ch]] += dy[oBase + ch];
        }
      }
    }
    finishRowsBelow(inH);
  }
}

export function maxPoolGradKernel(backendName: string): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap }) => {
    const { dy, input: x } = inputs;
    const g = poolGeometry(x.shape, attrs as unknown as Attrs);
    return withKernelCalls(backend as KernelBackend, backendName, (k) =>
      k.compute(x.shape, [x, dy], (dx, [xValues, dyValues]) => maxPoolGradValues(xValues, dyValues, dx, g)),
    );
  };
  return { kernelName: 'MaxPoolGrad', backendName, kernelFunc: kernelFunc as unknown as KernelFunc };
}
