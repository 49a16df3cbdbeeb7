/**
 * Which kernels a Mask R-CNN training step needs that a backend lacks.
 *
 * Runs forward + backward of each op family the model trains through (convolutions with stride 1/2 and
 * SAME/VALID padding, transposed convolution, pooling, batch-norm-like statistics, activations, gather,
 * matMul, bilinear resize, the detection losses) on the current backend. A missing kernel makes tfjs throw
 * at its first use, which would hide the next missing one; so each missing kernel is lent, for the probe
 * only, a stand-in that runs the cpu backend's kernel on copied data, and the case is retried.
 */
import * as tf from '@/lib/model/tf';
import type { KernelBackend, KernelFunc, TensorInfo } from '@/lib/model/tf';

export interface ProbeCase {
  name: string;
  /** A scalar loss of the given variables; the probe differentiates it with respect to all of them. */
  loss: (v: tf.Tensor[]) => tf.Scalar;
  shapes: number[][];
}

const NOT_REGISTERED = /Kernel '([^']+)' not registered for backend '([^']+)'/;

export const trainingProbeCases: ProbeCase[] = [
  { name: 'conv2d s1 same', shapes: [[1, 8, 8, 3], [3, 3, 3, 4]], loss: ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').square().sum() },
  { name: 'conv2d s2 valid', shapes: [[1, 9, 9, 3], [3, 3, 3, 4]], loss: ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid').square().sum() },
  { name: 'conv2d s2 same', shapes: [[1, 8, 8, 3], [1, 1, 3, 4]], loss: ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same').square().sum() },
  {
    name: 'fused conv2d + bias + relu',
    shapes: [[1, 8, 8, 3], [3, 3, 3, 4], [4]],
    loss: ([x, w, b]) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, bias: b, strides: 1, pad: 'same', activation: 'relu' }).sum(),
  },
  {
    name: 'conv2dTranspose s2 (mask head upsampling)',
    shapes: [[1, 4, 4, 4], [2, 2, 3, 4]],
    loss: ([x, w]) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [1, 8, 8, 3], 2, 'valid').square().sum(),
  },
  { name: 'depthwiseConv2d', shapes: [[1, 8, 8, 3], [3, 3, 3, 1]], loss: ([x, w]) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').square().sum() },
  { name: 'maxPool 3x3 s2 same', shapes: [[1, 8, 8, 3]], loss: ([x]) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same').square().sum() },
  { name: 'avgPool 2x2', shapes: [[1, 8, 8, 3]], loss: ([x]) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid').square().sum() },
  {
    name: 'batch norm (moments, batchNorm) + relu',
    shapes: [[2, 4, 4, 3], [3], [3]],
    loss: ([x, g, b]) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.relu(tf.batchNorm(x, mean, variance, b, g, 1e-5)).square().sum();
    },
  },
  {
    name: 'group norm-like (reshape, moments over groups)',
    shapes: [[1, 4, 4, 4]],
    loss: ([x]) => {
      const g = x.reshape([1, 4, 4, 2, 2]);
      const { mean, variance } = tf.moments(g, [1, 2, 4], true);
      return g.sub(mean).div(variance.add(1e-5).sqrt()).square().sum();
    },
  },
  { name: 'gather (box/anchor selection)', shapes: [[6, 4]], loss: ([x]) => tf.gather(x, tf.tensor1d([5, 0, 5, 2], 'int32')).square().sum() },
  { name: 'matMul + bias (box head fc)', shapes: [[3, 8], [8, 5], [5]], loss: ([x, w, b]) => tf.relu(tf.matMul(x, w).add(b)).sum() },
  {
    name: 'resizeBilinear (FPN / mask paste)',
    shapes: [[1, 4, 4, 2]],
    loss: ([x]) => tf.image.resizeBilinear(x as tf.Tensor4D, [8, 8], false, true).square().sum(),
  },
  { name: 'resizeNearestNeighbor (FPN top-down)', shapes: [[1, 4, 4, 2]], loss: ([x]) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [8, 8]).square().sum() },
  {
    name: 'sigmoid cross-entropy (objectness, mask loss)',
    shapes: [[10]],
    loss: ([x]) => tf.losses.sigmoidCrossEntropy(tf.tensor1d([1, 0, 1, 0, 0, 1, 1, 0, 0, 1]), x) as tf.Scalar,
  },
  {
    name: 'softmax cross-entropy (box classifier)',
    shapes: [[4, 3]],
    loss: ([x]) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0, 2, 1, 2], 'int32'), 3), x) as tf.Scalar,
  },
  { name: 'smooth L1 (huber) box loss', shapes: [[5, 4]], loss: ([x]) => tf.losses.huberLoss(tf.zeros([5, 4]), x, undefined, 1 / 9) as tf.Scalar },
  {
    name: 'slice, concat, pad, stack, where (roi plumbing)',
    shapes: [[4, 6]],
    loss: ([x]) => {
      const parts = tf.concat([x.slice([0, 0], [4, 3]), tf.pad(x.slice([0, 3], [4, 2]), [[0, 0], [0, 1]])], 1);
      // the condition comes from outside the tape: comparisons have no gradient in tfjs
      const picked = tf.where(tf.tensor2d([[1, 0, 1, 0, 1, 1]]).tile([4, 1]).cast('bool'), parts, parts.mul(0.5));
      return tf.stack([picked, x]).abs().mean() as tf.Scalar;
    },
  },
  {
    name: 'log-softmax, exp, log, minimum, clip (box decoding, losses)',
    shapes: [[3, 4]],
    loss: ([x]) => tf.logSoftmax(x).add(tf.minimum(tf.exp(x), 4)).add(tf.log(tf.clipByValue(x.abs(), 1e-3, 10))).sum(),
  },
];

/** For the probe only: a kernel that runs the cpu backend's kernel on copies of the inputs. */
function cpuStandIn(kernelName: string): KernelFunc {
  return (({ inputs, attrs, backend }: { inputs: Record<string, TensorInfo>; attrs: unknown; backend: KernelBackend }) => {
    const cpu = tf.findBackend('cpu');
    const cpuKernel = tf.getKernel(kernelName, 'cpu');
    if (cpu == null || cpuKernel == null) throw new Error(`probe: no cpu kernel ${kernelName} to stand in`);
    const copied: Record<string, TensorInfo> = {};
    for (const [k, t] of Object.entries(inputs)) {
      copied[k] = { dataId: cpu.write(backend.readSync(t.dataId) as Float32Array, t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
    }
    const out = cpuKernel.kernelFunc({ inputs: copied, attrs: attrs as never, backend: cpu }) as TensorInfo;
    const values = cpu.readSync(out.dataId);
    for (const t of [...Object.values(copied), out]) cpu.disposeData(t.dataId);
    const made = (backend as unknown as { makeOutput(s: number[], d: string, o: undefined, v: unknown): TensorInfo }).makeOutput(
      out.shape,
      out.dtype,
      undefined,
      values,
    );
    return made;
  }) as unknown as KernelFunc;
}

export interface ProbeResult {
  /** Kernel names that the cases needed and the backend lacked, in order of first use. */
  missing: string[];
  /** Cases that failed for another reason (message), e.g. an op without a gradient. */
  errors: { name: string; message: string }[];
}

/** Probes the current backend (call after `tf.setBackend`); leaves the kernel registry as it found it. */
export function probeTrainingKernels(cases: ProbeCase[] = trainingProbeCases): ProbeResult {
  const backendName = tf.getBackend();
  const missing: string[] = [];
  const errors: ProbeResult['errors'] = [];
  try {
    for (const c of cases) {
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          tf.tidy(() => {
            const vars = c.shapes.map((s, i) => tf.randomUniform(s, -1, 1, 'float32', 17 + i));
            const grads = tf.grads((...v: tf.Tensor[]) => c.loss(v))(vars);
            for (const g of grads) g.dataSync();
          });
          break;
        } catch (e) {
          const m = NOT_REGISTERED.exec(String((e as Error).message));
          if (m == null || m[2] !== backendName || missing.includes(m[1])) {
            errors.push({ name: c.name, message: String((e as Error).message) });
            break;
          }
          missing.push(m[1]);
          tf.registerKernel({ kernelName: m[1], backendName, kernelFunc: cpuStandIn(m[1]) });
        }
      }
    }
  } finally {
    for (const name of missing) tf.unregisterKernel(name, backendName);
  }
  return { missing, errors };
}
