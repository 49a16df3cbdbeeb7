/**
 * `UnsortedSegmentSum` for the wasm backend, which lacks it (tfjs 4.22); the gradient of `gather` needs it.
 *
 * out[s, ...] = Σ_{i: ids[i] = s} x[i, ...] is a ScatterNd of x with indices ids[..., None]: wasm's
 * ScatterNd adds updates that land on the same index, and leaves untouched segments at zero.
 * Ids must lie in [0, numSegments) (gather's gradient guarantees it; TensorFlow's negative-id skipping is
 * not reproduced).
 */
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@/lib/model/tf';
import { withKernelCalls } from './kernelCalls';

export function unsortedSegmentSumKernel(backendName: string): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap }) => {
    const { x, segmentIds } = inputs;
    const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
    return withKernelCalls(backend as KernelBackend, backendName, (k) => {
      const ids = segmentIds.dtype === 'int32' ? segmentIds : k.run('Cast', { x: segmentIds }, { dtype: 'int32' });
      const indices = k.run('Reshape', { x: ids }, { shape: [...ids.shape, 1] });
      return k.run(
        'ScatterNd',
        { indices, updates: x },
        { shape: [numSegments, ...x.shape.slice(ids.shape.length)] },
      );
    });
  };
  return { kernelName: 'UnsortedSegmentSum', backendName, kernelFunc: kernelFunc as unknown as KernelFunc };
}
