import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './backend/wasmTrainingKernels';
import { GROUP_NORM_EPSILON, groupNormalize } from './groupNorm';
import { groupNorm, ParamStore } from './layers';
import { randoms } from '@/lib/testing/randoms';

/** The straightforward formula (what layers.ts used before): tf.moments over (h·w, channels of the group). */
function referenceGroupNorm(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const xr = tf.reshape(x, [n, h * w, groups, c / groups]);
  const { mean, variance } = tf.moments(xr, [1, 3], true);
  const y = tf.reshape(tf.mul(tf.sub(xr, mean), tf.rsqrt(tf.add(variance, GROUP_NORM_EPSILON))), [n, h, w, c]);
  return tf.add(tf.mul(y, gamma), beta) as tf.Tensor4D;
}

/** Largest |a − e| relative to the largest |e| (the scale of the quantity). */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  let maxErr = 0;
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) {
    maxErr = Math.max(maxErr, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return maxErr / scale;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

type Norm = (x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number) => tf.Tensor4D;

/** Output and the gradients of Σ y·r wrt x, γ, β (r a fixed random upstream gradient). */
function outputAndGrads(norm: Norm, shape: [number, number, number, number], groups: number, offset: number, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const c = shape[3];
    const size = shape.reduce((a, b) => a * b, 1);
    const x = tf.add(tf.tensor4d(randoms(size, seed), shape), offset) as tf.Tensor4D;
    const gamma = tf.add(tf.tensor1d(randoms(c, seed + 1)), 1) as tf.Tensor1D;
    const beta = tf.tensor1d(randoms(c, seed + 2));
    const r = tf.tensor4d(randoms(size, seed + 3), shape);
    const y = norm(x, gamma, beta, groups);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) =>
      tf.sum(tf.mul(norm(a as tf.Tensor4D, b as tf.Tensor1D, d as tf.Tensor1D, groups), r)),
    )([x, gamma, beta]);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

const cases: { name: string; shape: [number, number, number, number]; groups: number; offset: number }[] = [
  { name: 'one sample, 4 groups of 2', shape: [1, 6, 5, 8], groups: 4, offset: 0 },
  { name: 'non-zero mean (x + 3)', shape: [1, 7, 6, 16], groups: 4, offset: 3 },
  { name: 'two samples, 3 groups of 4, mean −2', shape: [2, 5, 4, 12], groups: 3, offset: -2 },
  { name: 'one channel per group (instance norm)', shape: [2, 4, 3, 6], groups: 6, offset: 1 },
  { name: 'one group (layer norm), 1×1 map', shape: [3, 1, 1, 8], groups: 1, offset: 0.5 },
  { name: 'mask-head-like batch', shape: [5, 7, 7, 32], groups: 8, offset: 0 },
];

describe.each(['cpu', 'wasm'] as const)('groupNormalize on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm') registerWasmTrainingKernels();
    expect(await tf.setBackend(backend)).toBe(true);
  });

  it.each(cases)('matches the tf.moments formula and its autodiff: $name', ({ shape, groups, offset }) => {
    const [y, dx, dGamma, dBeta] = outputAndGrads(groupNormalize, shape, groups, offset, 7);
    const [yRef, dxRef, dGammaRef, dBetaRef] = outputAndGrads(referenceGroupNorm, shape, groups, offset, 7);
    expect(maxAbsDiff(y, yRef), 'y').toBeLessThan(1e-4);
    expect(relativeError(dx, dxRef), 'dx').toBeLessThan(1e-3);
    expect(relativeError(dGamma, dGammaRef), 'dγ').toBeLessThan(1e-3);
    expect(relativeError(dBeta, dBetaRef), 'dβ').toBeLessThan(1e-3);
  });

  it('maps a constant group to β with finite gradients (variance clamped at 0)', () => {
    const [y, dx, dGamma, dBeta] = tf.tidy(() => {
      const x = tf.fill([1, 3, 3, 4], 2.5) as tf.Tensor4D;
      const gamma = tf.tensor1d([1, 2, 3, 4]);
      const beta = tf.tensor1d([0.1, 0.2, 0.3, 0.4]);
      const r = tf.tensor4d(randoms(36, 3), [1, 3, 3, 4]);
      const out = groupNormalize(x, gamma, beta, 2);
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) =>
        tf.sum(tf.mul(groupNormalize(a as tf.Tensor4D, b as tf.Tensor1D, d as tf.Tensor1D, 2), r)),
      )([x, gamma, beta]);
      return [out, ...grads].map((t) => t.dataSync() as Float32Array);
    });
    // x·scale + shift cancels μ·r·γ ≈ 2.5·316·4 in float32: ~1e-4 absolute, not exact zero.
    for (let i = 0; i < y.length; i++) expect(y[i]).toBeCloseTo([0.1, 0.2, 0.3, 0.4][i % 4], 3);
    for (const g of [dx, dGamma, dBeta]) expect(g.every(Number.isFinite)).toBe(true);
  });

  it('trains through the layer: parameter names, values and variable gradients as before', () => {
    const ps = new ParamStore(1);
    try {
      const norm = groupNorm(ps, 'stem', 16, 4);
      expect(ps.names()).toEqual(['stem.norm.weight', 'stem.norm.bias']);
      const [got, want] = tf.tidy(() => {
        const x = tf.add(tf.tensor4d(randoms(2 * 5 * 5 * 16, 11), [2, 5, 5, 16]), 1) as tf.Tensor4D;
        const r = tf.tensor4d(randoms(2 * 5 * 5 * 16, 12), [2, 5, 5, 16]);
        const vars = ps.variables(); // [weight, bias]
        const gradsOf = (f: () => tf.Tensor4D) => {
          const { grads } = tf.variableGrads(() => tf.sum(tf.mul(f(), r)) as tf.Scalar, vars);
          return vars.map((v) => grads[v.name].dataSync() as Float32Array);
        };
        const [gamma, beta] = vars as unknown as tf.Tensor1D[];
        return [gradsOf(() => norm(x)), gradsOf(() => referenceGroupNorm(x, gamma, beta, 4))];
      });
      for (let i = 0; i < got.length; i++) expect(relativeError(got[i], want[i])).toBeLessThan(1e-3);
    } finally {
      ps.dispose();
    }
  });
});
