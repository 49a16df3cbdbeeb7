import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@/lib/model/tf';
import { maxPoolGradKernel } from './maxPoolGrad';
import { conv2DBackpropFilterKernel, usesIm2col } from './conv2DBackpropFilter';
import { convGradGeometry } from './convGeometry';
import { registerWasmTrainingKernels } from './wasmTrainingKernels';
import { randoms } from '@/lib/testing/randoms';

type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];

/** Runs `fn` on a backend and returns its output's values (tensors are made inside, on that backend). */
async function on(backend: 'cpu' | 'wasm', fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const values: Float32Array[] = [];
  tf.tidy(() => {
    const out = fn();
    for (const t of Array.isArray(out) ? out : [out]) values.push(t.dataSync() as Float32Array);
  });
  return values;
}

function expectClose(actual: Float32Array, expected: Float32Array, label: string) {
  expect(actual.length, label).toBe(expected.length);
  let maxErr = 0;
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) {
    maxErr = Math.max(maxErr, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  // float32 sums of a few hundred products: relative error well under 1e-4 of the largest value.
  expect(maxErr / scale, `${label}: max error ${maxErr} at scale ${scale}`).toBeLessThan(1e-4);
}

function runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): tf.Tensor {
  return tf.engine().runKernel(name, inputs as never, attrs as never) as tf.Tensor;
}

/** Direct-loop reference of both conv gradients (NHWC), for dilations that cpu's kernels ignore. */
function referenceConvGrads(
  x: Float32Array,
  xShape: number[],
  w: Float32Array,
  wShape: number[],
  dy: Float32Array,
  stride: number,
  dilation: number,
  pad: Pad,
) {
  const [n, h, wd, cin] = xShape;
  const [kh, kw, , cout] = wShape;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    wShape as [number, number, number, number],
    stride,
    dilation,
    pad,
  );
  const { outHeight: ho, outWidth: wo } = info;
  const { top, left } = info.padInfo;
  const dW = new Float32Array(kh * kw * cin * cout);
  const dX = new Float32Array(n * h * wd * cin);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++)
        for (let a = 0; a < kh; a++)
          for (let c = 0; c < kw; c++) {
            const y = i * stride + a * dilation - top;
            const xx = j * stride + c * dilation - left;
            if (y < 0 || y >= h || xx < 0 || xx >= wd) continue;
            for (let ci = 0; ci < cin; ci++)
              for (let co = 0; co < cout; co++) {
                const g = dy[((b * ho + i) * wo + j) * cout + co];
                const wi = ((a * kw + c) * cin + ci) * cout + co;
                const xi = ((b * h + y) * wd + xx) * cin + ci;
                dW[wi] += x[xi] * g;
                dX[xi] += w[wi] * g;
              }
          }
  return { dW, dX, outShape: [n, ho, wo, cout] };
}

/** Direct-loop reference of both depthwise conv gradients (NHWC, channel multiplier m). */
function referenceDepthwiseGrads(
  x: Float32Array,
  xShape: number[],
  w: Float32Array,
  wShape: number[],
  dy: Float32Array,
  stride: number,
  dilation: number,
  pad: Pad,
) {
  const [n, h, wd, c] = xShape;
  const [kh, kw, , m] = wShape;
  const info = tf.backend_util.computeConv2DInfo(xShape as never, wShape as never, stride, dilation, pad, undefined, true);
  const { outHeight: ho, outWidth: wo } = info;
  const { top, left } = info.padInfo;
  const dW = new Float32Array(kh * kw * c * m);
  const dX = new Float32Array(n * h * wd * c);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++)
        for (let a = 0; a < kh; a++)
          for (let e = 0; e < kw; e++) {
            const y = i * stride + a * dilation - top;
            const xx = j * stride + e * dilation - left;
            if (y < 0 || y >= h || xx < 0 || xx >= wd) continue;
            for (let ci = 0; ci < c; ci++)
              for (let q = 0; q < m; q++) {
                const g = dy[((b * ho + i) * wo + j) * c * m + ci * m + q];
                const wi = ((a * kw + e) * c + ci) * m + q;
                const xi = ((b * h + y) * wd + xx) * c + ci;
                dW[wi] += x[xi] * g;
                dX[xi] += w[wi] * g;
              }
          }
  return { dW, dX };
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

const convCases: { name: string; x: number[]; k: number; cin: number; cout: number; stride: number; pad: Pad }[] = [
  { name: '3x3 s1 same', x: [1, 9, 7], k: 3, cin: 3, cout: 4, stride: 1, pad: 'same' },
  { name: '3x3 s1 same, batch 3 (mask head)', x: [3, 6, 6], k: 3, cin: 4, cout: 3, stride: 1, pad: 'same' },
  { name: '1x1 s1 (FPN lateral)', x: [1, 7, 5], k: 1, cin: 5, cout: 3, stride: 1, pad: 'valid' },
  { name: '3x3 s2 same, batch 2', x: [2, 9, 8], k: 3, cin: 2, cout: 5, stride: 2, pad: 'same' },
  { name: '3x3 s2 valid, odd size', x: [1, 10, 9], k: 3, cin: 4, cout: 3, stride: 2, pad: 'valid' },
  { name: '1x1 s2 valid (ResNet downsample)', x: [1, 8, 8], k: 1, cin: 6, cout: 4, stride: 2, pad: 'valid' },
  { name: '7x7 s2 pad 3 (ResNet stem)', x: [1, 16, 14], k: 7, cin: 1, cout: 4, stride: 2, pad: 3 },
  { name: '2x2 s3 valid', x: [1, 11, 10], k: 2, cin: 2, cout: 2, stride: 3, pad: 'valid' },
  { name: '2x2 s2 valid (mask head up-conv)', x: [3, 8, 6], k: 2, cin: 5, cout: 4, stride: 2, pad: 'valid' },
  { name: '2x2 s2 same', x: [1, 6, 8], k: 2, cin: 3, cout: 2, stride: 2, pad: 'same' },
  { name: '2x2 s2 valid, odd size', x: [1, 7, 6], k: 2, cin: 3, cout: 2, stride: 2, pad: 'valid' },
  {
    name: '3x3 s1 explicit [2,0],[1,3]',
    x: [1, 6, 7],
    k: 3,
    cin: 2,
    cout: 3,
    stride: 1,
    pad: [
      [0, 0],
      [2, 0],
      [1, 3],
      [0, 0],
    ],
  },
  {
    name: '2x2 s1 explicit wider than filter [3,4]',
    x: [1, 5, 5],
    k: 2,
    cin: 2,
    cout: 2,
    stride: 1,
    pad: [
      [0, 0],
      [3, 4],
      [4, 3],
      [0, 0],
    ],
  },
];

/**
 * Both formulations of our Conv2DBackpropFilter (see conv2DBackpropFilter.ts): the default (im2col + GEMM at
 * every size these cases have), and the convolution it falls back to when the column matrix would be too
 * large, forced here by registering a variant whose column limit is 0.
 */
const filterGradFormulations = [
  { name: 'im2col + GEMM', maxColumnElements: undefined },
  { name: 'as a convolution', maxColumnElements: 0 },
];

for (const formulation of filterGradFormulations) describe(`Conv2DBackpropFilter (${formulation.name}) / Conv2DBackpropInput on wasm vs cpu`, () => {
  if (formulation.maxColumnElements !== undefined) {
    const limit = formulation.maxColumnElements;
    let registered: tf.KernelConfig | undefined;
    beforeAll(() => {
      registered = tf.getKernel('Conv2DBackpropFilter', 'wasm');
      tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
      tf.registerKernel(conv2DBackpropFilterKernel('wasm', { maxColumnElements: limit }));
    });
    afterAll(() => {
      tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
      tf.registerKernel(registered!);
    });
  }

  it('runs the formulation it is named after', () => {
    const g = convGradGeometry([1, 9, 7, 3], [3, 3, 3, 4], 1, 1, 'same', undefined, false, 'NHWC', 'test');
    expect(usesIm2col(g, [1, 9, 7, 3], formulation.maxColumnElements)).toBe(formulation.maxColumnElements === undefined);
  });

  for (const [ci, c] of convCases.entries()) {
    it(c.name, async () => {
      const xShape = [...c.x, c.cin];
      const wShape = [c.k, c.k, c.cin, c.cout];
      const info = tf.backend_util.computeConv2DInfo(
        xShape as [number, number, number, number],
        wShape as [number, number, number, number],
        c.stride,
        1,
        c.pad,
      );
      const x = randoms(xShape.reduce((p, q) => p * q), 10 + ci);
      const w = randoms(wShape.reduce((p, q) => p * q), 20 + ci);
      const dy = randoms(info.outShape.reduce((p, q) => p * q), 30 + ci);
      const run = () => {
        const xt = tf.tensor(x, xShape);
        const wt = tf.tensor(w, wShape);
        const dyt = tf.tensor(dy, info.outShape);
        const common = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC' };
        return [
          runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, { ...common, filterShape: wShape }),
          runKernel('Conv2DBackpropInput', { dy: dyt, filter: wt }, { ...common, inputShape: xShape }),
        ];
      };
      const [cpuW, cpuX] = await on('cpu', run);
      const [wasmW, wasmX] = await on('wasm', run);
      expectClose(wasmW, cpuW, 'filter gradient');
      expectClose(wasmX, cpuX, 'input gradient');
      // Guard against both backends sharing a mistake: the direct loops agree too.
      const ref = referenceConvGrads(x, xShape, w, wShape, dy, c.stride, 1, c.pad);
      expectClose(wasmW, ref.dW, 'filter gradient vs loops');
      expectClose(wasmX, ref.dX, 'input gradient vs loops');
    });
  }

  for (const pad of ['same', 'valid', 1] as const) {
    it(`dilation 2, pad ${pad} (attrs beyond what tf.conv2d's gradient passes)`, async () => {
      const xShape = [2, 9, 10, 3];
      const wShape = [3, 3, 3, 2];
      const info = tf.backend_util.computeConv2DInfo(xShape as never, wShape as never, 1, 2, pad);
      const x = randoms(2 * 9 * 10 * 3, 41);
      const w = randoms(3 * 3 * 3 * 2, 42);
      const dy = randoms(info.outShape.reduce((p, q) => p * q), 43);
      const [wasmW, wasmX] = await on('wasm', () => {
        const common = { strides: 1, dilations: 2, pad, dataFormat: 'NHWC' };
        const dyt = tf.tensor(dy, info.outShape);
        return [
          runKernel('Conv2DBackpropFilter', { x: tf.tensor(x, xShape), dy: dyt }, { ...common, filterShape: wShape }),
          runKernel('Conv2DBackpropInput', { dy: dyt, filter: tf.tensor(w, wShape) }, { ...common, inputShape: xShape }),
        ];
      });
      const ref = referenceConvGrads(x, xShape, w, wShape, dy, 1, 2, pad);
      expectClose(wasmW, ref.dW, 'filter gradient');
      expectClose(wasmX, ref.dX, 'input gradient');
    });
  }
});

describe('DepthwiseConv2dNativeBackprop{Filter,Input} on wasm vs cpu', () => {
  const cases = [
    { x: [1, 8, 9, 3], k: 3, m: 1, stride: 1, dilation: 1, pad: 'same' as Pad },
    { x: [2, 9, 8, 2], k: 3, m: 2, stride: 2, dilation: 1, pad: 'valid' as Pad },
    { x: [1, 10, 10, 2], k: 3, m: 3, stride: 1, dilation: 2, pad: 'same' as Pad },
    { x: [1, 7, 9, 4], k: 5, m: 1, stride: 2, dilation: 1, pad: 2 as Pad },
  ];
  for (const [i, c] of cases.entries()) {
    it(`k${c.k} m${c.m} s${c.stride} d${c.dilation} ${String(c.pad)}`, async () => {
      const wShape = [c.k, c.k, c.x[3], c.m];
      const info = tf.backend_util.computeConv2DInfo(c.x as never, wShape as never, c.stride, c.dilation, c.pad, undefined, true);
      const x = randoms(c.x.reduce((p, q) => p * q), 50 + i);
      const w = randoms(wShape.reduce((p, q) => p * q), 60 + i);
      const dy = randoms(info.outShape.reduce((p, q) => p * q), 70 + i);
      const run = () => {
        const common = { strides: c.stride, dilations: c.dilation, pad: c.pad };
        const dyt = tf.tensor(dy, info.outShape);
        return [
          runKernel('DepthwiseConv2dNativeBackpropFilter', { x: tf.tensor(x, c.x), dy: dyt }, { ...common, filterShape: wShape }),
          runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dyt, filter: tf.tensor(w, wShape) }, { ...common, inputShape: c.x }),
        ];
      };
      const [wasmW, wasmX] = await on('wasm', run);
      // cpu's kernels ignore dilations (tfjs's depthwise gradient refuses them), so compare there only at 1.
      if (c.dilation === 1) {
        const [cpuW, cpuX] = await on('cpu', run);
        expectClose(wasmW, cpuW, 'filter gradient');
        expectClose(wasmX, cpuX, 'input gradient');
      }
      const ref = referenceDepthwiseGrads(x, c.x, w, wShape, dy, c.stride, c.dilation, c.pad);
      expectClose(wasmW, ref.dW, 'filter gradient vs loops');
      expectClose(wasmX, ref.dX, 'input gradient vs loops');
    });
  }
});

describe('UnsortedSegmentSum on wasm vs cpu', () => {
  it('sums repeated ids and leaves absent segments at zero', async () => {
    const x = randoms(6 * 4, 7);
    const ids = [3, 0, 3, 3, 1, 0]; // segment 2 and 4 receive nothing
    const run = () => tf.unsortedSegmentSum(tf.tensor(x, [6, 4]), tf.tensor1d(ids, 'int32'), 5);
    const [cpu] = await on('cpu', run);
    const [wasm] = await on('wasm', run);
    expectClose(wasm, cpu, 'segment sums');
    expect(Array.from(wasm.slice(2 * 4, 3 * 4))).toEqual([0, 0, 0, 0]);
  });

  it('is the gradient of gather (axis 0 and 1, repeated indices)', async () => {
    const x = randoms(5 * 3 * 2, 8);
    const up = randoms(4 * 3 * 2, 9);
    const run = () => {
      const xt = tf.tensor(x, [5, 3, 2]);
      const g0 = tf.grad((v: tf.Tensor) => tf.gather(v, tf.tensor1d([4, 1, 4, 0], 'int32'), 0).mul(tf.tensor(up, [4, 3, 2])).sum())(xt);
      const g1 = tf.grad((v: tf.Tensor) => tf.gather(v, tf.tensor1d([2, 2], 'int32'), 1).square().sum())(xt);
      return [g0, g1];
    };
    const cpu = await on('cpu', run);
    const wasm = await on('wasm', run);
    expectClose(wasm[0], cpu[0], 'gather axis 0');
    expectClose(wasm[1], cpu[1], 'gather axis 1');
  });
});

/** Exact equality, -0 vs +0 included; reports how many positions differ and the first one. */
function expectIdentical(actual: Float32Array, expected: Float32Array, label: string) {
  expect(actual.length, label).toBe(expected.length);
  const differing = expected.reduce((n, v, i) => (Object.is(v, actual[i]) ? n : n + 1), 0);
  const first = expected.findIndex((v, i) => !Object.is(v, actual[i]));
  expect(differing, `${label}: ${differing} positions differ, first at ${first} (${actual[first]} vs ${expected[first]})`).toBe(0);
}

describe('MaxPoolGrad on wasm vs cpu', () => {
  type PoolPad = 'same' | 'valid' | number;
  const inputs: Record<string, (n: number, seed: number) => Float32Array> = {
    random: randoms,
    "ReLU'd (many zeros)": (n, seed) => randoms(n, seed).map((v) => Math.max(0, v)),
    'integer-valued (many ties)': (n, seed) => randoms(n, seed).map((v) => Math.floor(v * 6)),
  };
  const pools: { name: string; x: number[]; k: number; stride: number; pad: PoolPad }[] = [
    { name: '3x3/2 same (ResNet stem)', x: [1, 13, 10, 5], k: 3, stride: 2, pad: 'same' },
    { name: '2x2/2 valid, odd size', x: [1, 9, 7, 3], k: 2, stride: 2, pad: 'valid' },
    { name: '3x3/1 same', x: [1, 8, 9, 4], k: 3, stride: 1, pad: 'same' },
    { name: '3x3/2 same, batch 2', x: [2, 11, 12, 3], k: 3, stride: 2, pad: 'same' },
    { name: '2x2/3 valid (gaps between windows)', x: [2, 8, 10, 2], k: 2, stride: 3, pad: 'valid' },
    { name: '3x3/2 pad 1', x: [1, 9, 8, 3], k: 3, stride: 2, pad: 1 },
  ];

  /** x's gradient of Σ maxPool(x)·up, i.e. MaxPoolGrad with dy = up, through tfjs's gradient of MaxPool. */
  const gradOfMaxPool = (x: Float32Array, p: (typeof pools)[number]) => () => {
    const info = tf.backend_util.computePool2DInfo(p.x as [number, number, number, number], p.k, p.stride, 1, p.pad);
    const up = tf.tensor(randoms(info.outShape.reduce((a, b) => a * b), 7), info.outShape);
    return tf.grad((v: tf.Tensor) => tf.maxPool(v as tf.Tensor4D, p.k, p.stride, p.pad).mul(up).sum())(tf.tensor(x, p.x));
  };

  for (const [pi, p] of pools.entries()) {
    for (const [kind, make] of Object.entries(inputs)) {
      it(`${p.name}, ${kind}`, async () => {
        const x = make(p.x.reduce((a, b) => a * b), 300 + pi);
        const [cpu] = await on('cpu', gradOfMaxPool(x, p));
        const [wasm] = await on('wasm', gradOfMaxPool(x, p));
        expect(cpu.some((v) => v !== 0), 'gradient is not all zero').toBe(true);
        expectIdentical(wasm, cpu, 'input gradient');
      });
    }
  }

  it('special values: -0 before +0, -Infinity and NaN windows', async () => {
    const p = { name: '2x2/2 valid', x: [1, 4, 6, 1], k: 2, stride: 2, pad: 'valid' as PoolPad };
    // windows (row-major): [-0, +0 / +0, +0], [-Inf, -Inf / -Inf, -Inf], [NaN, 1 / 1, NaN],
    //                      [NaN, NaN / NaN, NaN], [-Inf, NaN / NaN, -Inf], [2, 2 / 3, 3]
    const x = new Float32Array([
      ...[-0, 0, -Infinity, -Infinity, NaN, 1],
      ...[0, 0, -Infinity, -Infinity, 1, NaN],
      ...[NaN, NaN, -Infinity, NaN, 2, 2],
      ...[NaN, NaN, NaN, -Infinity, 3, 3],
    ]);
    const [cpu] = await on('cpu', gradOfMaxPool(x, p));
    const [wasm] = await on('wasm', gradOfMaxPool(x, p));
    expectIdentical(wasm, cpu, 'input gradient');
  });

  it('windows wholly in the padding pass nothing on (pad wider than the filter)', async () => {
    const xShape = [1, 5, 4, 2];
    const attrs = { filterSize: 2, strides: 1, pad: 3 };
    const info = tf.backend_util.computePool2DInfo(xShape as [number, number, number, number], 2, 1, 1, 3);
    const x = randoms(5 * 4 * 2, 11);
    const dy = randoms(info.outShape.reduce((a, b) => a * b), 12);
    // MaxPoolGrad reads x and dy only; `output` is passed for the signature's sake
    const run = () =>
      runKernel('MaxPoolGrad', { dy: tf.tensor(dy, info.outShape), input: tf.tensor(x, xShape), output: tf.zeros(info.outShape) }, attrs);
    const [cpu] = await on('cpu', run);
    const [wasm] = await on('wasm', run);
    expectIdentical(wasm, cpu, 'input gradient');
  });

  it('runs on a backend without wasm heap views too (cpu, through readSync / write)', async () => {
    await tf.setBackend('cpu');
    const p = pools[3];
    const x = inputs["ReLU'd (many zeros)"](p.x.reduce((a, b) => a * b), 21);
    const info = tf.backend_util.computePool2DInfo(p.x as [number, number, number, number], p.k, p.stride, 1, p.pad);
    const dy = randoms(info.outShape.reduce((a, b) => a * b), 22);
    const attrs = { filterSize: p.k, strides: p.stride, pad: p.pad };
    const ours = tf.tidy(() => {
      const inputsCpu = { dy: tf.tensor(dy, info.outShape), input: tf.tensor(x, p.x), output: tf.zeros(info.outShape) };
      const expected = runKernel('MaxPoolGrad', inputsCpu, attrs).dataSync() as Float32Array;
      const out = maxPoolGradKernel('cpu').kernelFunc({ inputs: inputsCpu, backend: tf.backend(), attrs } as never) as tf.TensorInfo;
      const actual = tf.backend().readSync(out.dataId) as Float32Array;
      tf.backend().disposeData(out.dataId);
      return { expected, actual };
    });
    expectIdentical(ours.actual, ours.expected, 'input gradient');
  });

  it('refuses dilations other than 1', async () => {
    await tf.setBackend('wasm');
    expect(() =>
      tf.tidy(() =>
        runKernel(
          'MaxPoolGrad',
          { dy: tf.zeros([1, 2, 2, 1]), input: tf.zeros([1, 5, 5, 1]), output: tf.zeros([1, 2, 2, 1]) },
          { filterSize: 2, strides: 2, pad: 'valid', dilations: 2 },
        ),
      ),
    ).toThrow(/dilation 1 only/);
  });
});

describe('registerWasmTrainingKernels', () => {
  it('is idempotent and replaces the built-in Conv2DBackpropInput and MaxPoolGrad kernels', () => {
    const names = registerWasmTrainingKernels();
    expect(registerWasmTrainingKernels()).toEqual(names);
    expect([...names].sort()).toEqual([
      'Conv2DBackpropFilter',
      'Conv2DBackpropInput',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'MaxPoolGrad',
      'UnsortedSegmentSum',
    ]);
    // ours, not wasm's (which are named after their op and come with a setupFunc)
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc.name).toBe('kernelFunc');
    expect(tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc.name).toBe('kernelFunc');
    expect(tf.getKernel('MaxPoolGrad', 'wasm')?.setupFunc).toBeUndefined();
  });
});

describe('kernel intermediates', () => {
  it('are all released: the backend holds no extra data after the kernels run', async () => {
    await tf.setBackend('wasm');
    const before = tf.backend().numDataIds();
    tf.tidy(() => {
      const x = tf.randomNormal([2, 9, 9, 3]) as tf.Tensor4D;
      const w = tf.randomNormal([3, 3, 3, 4]) as tf.Tensor4D;
      const dw = tf.randomNormal([3, 3, 3, 2]) as tf.Tensor4D;
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same').sum())([x, w]);
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'valid').sum())([x, dw]);
      tf.grad((a: tf.Tensor) => tf.gather(a, tf.tensor1d([1, 1, 0], 'int32')).sum())(tf.ones([3, 2]));
      tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 3, 2, 'same').sum())(x);
    });
    expect(tf.backend().numDataIds()).toBe(before);
  });
});

describe('training a small conv net on wasm', () => {
  /** conv s1 same → relu → conv s2 valid → conv2dTranspose s2 → maxPool → flatten → gather → matMul → losses. */
  function smallNetLoss(vars: tf.Tensor[], x: tf.Tensor4D): tf.Scalar {
    const [w1, w2, wt, fc] = vars as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor2D];
    const h1 = tf.relu(tf.conv2d(x, w1, 1, 'same')); // [2,9,9,4]
    const h2 = tf.fused.conv2d({ x: h1, filter: w2, strides: 2, pad: 'valid', activation: 'relu' }); // [2,4,4,6]
    const up = tf.conv2dTranspose(h2, wt, [2, 8, 8, 3], 2, 'same'); // [2,8,8,3]
    const pooled = tf.maxPool(up, 2, 2, 'valid').reshape([2 * 4 * 4, 3]); // rows = cells
    const rois = tf.gather(pooled, tf.tensor1d([0, 5, 5, 17, 31], 'int32')); // [5,3]
    const logits = tf.matMul(rois, fc); // [5,2]
    const maskLoss = tf.losses.sigmoidCrossEntropy(tf.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0], [1, 0]]), logits);
    const clsLoss = tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0, 1, 1, 0, 1], 'int32'), 2), logits);
    return maskLoss.add(clsLoss) as tf.Scalar;
  }
  const shapes = [
    [3, 3, 2, 4],
    [3, 3, 4, 6],
    [3, 3, 3, 6],
    [3, 2],
  ];

  it('gives the same gradients on wasm and cpu', async () => {
    const values = shapes.map((s, i) => randoms(s.reduce((p, q) => p * q), 100 + i));
    const x = randoms(2 * 9 * 9 * 2, 99);
    const run = () =>
      tf.grads((...v: tf.Tensor[]) => smallNetLoss(v, tf.tensor4d(x, [2, 9, 9, 2])))(values.map((v, i) => tf.tensor(v, shapes[i])));
    const cpu = await on('cpu', run);
    const wasm = await on('wasm', run);
    cpu.forEach((g, i) => {
      expect(Math.max(...Array.from(g, Math.abs)), `gradient ${i} is not all zero`).toBeGreaterThan(0);
      expectClose(wasm[i], g, `gradient of variable ${i}`);
    });
  });

  it('lowers the loss with Adam steps through tf.layers (conv, batch norm, transpose conv)', async () => {
    await tf.setBackend('wasm');
    const losses = tf.tidy(() => {
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 8, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
          tf.layers.batchNormalization(),
          tf.layers.reLU(),
          tf.layers.conv2dTranspose({ filters: 1, kernelSize: 2, strides: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        ],
      });
      const xs = tf.tensor4d(randoms(4 * 16 * 16, 5), [4, 16, 16, 1]);
      const ys = xs.greater(0).cast('float32'); // learn "positive pixels"
      const out: number[] = [];
      // optimizer.minimize over the layers' trainable weights: synchronous, so the steps fit in one tidy
      const optimizer = tf.train.adam(0.05);
      for (let step = 0; step < 8; step++) {
        const cost = optimizer.minimize(() => tf.losses.meanSquaredError(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar, true);
        out.push(cost!.dataSync()[0]);
      }
      return out;
    });
    expect(tf.getBackend()).toBe('wasm');
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.8);
  });

  it('needs no kernel that wasm lacks once ours are registered', async () => {
    await tf.setBackend('wasm');
    const { missing, errors } = (await import('./probeTrainingKernels')).probeTrainingKernels();
    expect(errors).toEqual([]);
    expect(missing).toEqual([]);
  });

  it('the probe does report a kernel that is missing', async () => {
    await tf.setBackend('wasm');
    const { probeTrainingKernels } = await import('./probeTrainingKernels');
    const ours = tf.getKernel('UnsortedSegmentSum', 'wasm')!;
    tf.unregisterKernel('UnsortedSegmentSum', 'wasm');
    try {
      expect(probeTrainingKernels().missing).toEqual(['UnsortedSegmentSum']);
      expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeUndefined(); // the stand-in is gone again
    } finally {
      tf.registerKernel(ours);
    }
  });
});
