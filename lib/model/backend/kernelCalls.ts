/**
 * Calling a backend's own kernels from inside another kernel.
 *
 * A kernel function receives `{ inputs, backend, attrs }` and must return TensorInfo(s) owned by that
 * backend. Calling `tf` ops (or `tf.engine().runKernel`) inside it would re-enter the engine: the inner
 * results would be tracked as tensors of the current scope and, while a gradient tape records, taped as
 * extra nodes. The clean way is to look the other kernels up in the registry (`getKernel(name, backendName)`)
 * and call their `kernelFunc` with the same `backend`: no engine bookkeeping, no tape, and the data stays in
 * the backend's memory. The price is manual lifetime management: every intermediate TensorInfo is released
 * with `backend.disposeData`, which honours the backend's reference counts (a Reshape result shares its
 * input's data and only drops one reference).
 */
import { getKernel, type backend_util, type DataType, type KernelBackend, type NamedAttrMap, type TensorInfo } from '@/lib/model/tf';

/** A tensor's values as the backend holds them (float32, int32 or bool); only read. */
export type Values = Float32Array | Int32Array | Uint8Array;

/** What the wasm backend offers to read and write its heap without copies (BackendWasm). */
interface HeapBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): backend_util.TypedArray;
}

function isHeapBackend(backend: unknown): backend is HeapBackend {
  const b = backend as Partial<HeapBackend>;
  return typeof b.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function';
}

export class KernelCalls {
  private readonly intermediates: TensorInfo[] = [];

  constructor(
    private readonly backend: KernelBackend,
    private readonly backendName: string,
  ) {}

  /** Runs the registered kernel `name` of this backend; the result is released by `dispose()` unless kept. */
  run(name: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = getKernel(name, this.backendName);
    if (kernel == null) {
      throw new Error(`kernel ${name} is not registered for backend '${this.backendName}'`);
    }
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend });
    if (Array.isArray(out)) throw new Error(`kernel ${name} returned several outputs; expected one`);
    this.intermediates.push(out);
    return out;
  }

  /** A new float32 tensor of this backend holding `values`; released by `dispose()` unless kept. */
  write(values: Float32Array, shape: number[]): TensorInfo {
    const info: TensorInfo = { dataId: this.backend.write(values, shape, 'float32'), shape, dtype: 'float32' };
    this.intermediates.push(info);
    return info;
  }

  /**
   * A new float32 tensor of `shape` whose values `fill` writes (every one of them: the memory is not cleared)
   * from the inputs' values, in plain JS. On the wasm backend both are views of its heap, so nothing is
   * copied; elsewhere the inputs are read and the result written. Released by `dispose()` unless kept.
   */
  compute(shape: number[], inputs: TensorInfo[], fill: (out: Float32Array, values: Values[]) => void): TensorInfo {
    let info: TensorInfo;
    const backend = this.backend;
    if (isHeapBackend(backend)) {
      // Allocate first: malloc may grow the wasm memory, which detaches views taken before it.
      info = backend.makeOutput(shape, 'float32');
      fill(backend.typedArrayFromHeap(info) as Float32Array, inputs.map((t) => backend.typedArrayFromHeap(t) as Values));
    } else {
      const out = new Float32Array(shape.reduce((p, q) => p * q, 1));
      fill(out, inputs.map((t) => backend.readSync(t.dataId) as Values));
      info = { dataId: backend.write(out, shape, 'float32'), shape, dtype: 'float32' };
    }
    this.intermediates.push(info);
    return info;
  }

  /** The values of a float32 tensor of this backend (synchronous: wasm and cpu keep data in memory). */
  read(info: TensorInfo): Float32Array {
    return this.backend.readSync(info.dataId) as Float32Array;
  }

  /** Marks a result as the kernel's output: `dispose()` leaves it alone. */
  keep(info: TensorInfo): TensorInfo {
    const i = this.intermediates.lastIndexOf(info);
    if (i >= 0) this.intermediates.splice(i, 1);
    return info;
  }

  /** Releases every intermediate (call in `finally`). */
  dispose(): void {
    for (const info of this.intermediates) this.backend.disposeData(info.dataId);
    this.intermediates.length = 0;
  }
}

/** Runs `body` with a KernelCalls scope and releases every intermediate except the returned one. */
export function withKernelCalls(
  backend: KernelBackend,
  backendName: string,
  body: (k: KernelCalls) => TensorInfo,
): TensorInfo {
  const k = new KernelCalls(backend, backendName);
  try {
    return k.keep(body(k));
  } finally {
    k.dispose();
  }
}
