/**
 * What bench:model measures per inference backend, shared by the parent (scripts/bench-model.ts) and its
 * measuring processes (scripts/bench-model-worker.ts, which cannot be imported: importing it runs it).
 */
import type { InferenceBackend } from '@/lib/model/inferenceBackend';

export type Phase = 'train' | 'infer';

/** Training exists on TensorFlow.js only: onnxruntime rows measure inference. */
export const phasesOf = (backend: InferenceBackend): Phase[] => (backend === 'onnxruntime' ? ['infer'] : ['train', 'infer']);
