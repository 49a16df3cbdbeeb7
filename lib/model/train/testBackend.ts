/**
 * Backend for the model tests: wasm with the training kernels (lib/model/backend), the CPU path the
 * product uses by default; CT_TEST_BACKEND=cpu forces the pure-JS backend.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../backend/wasmTrainingKernels';

export async function useTestBackend(): Promise<string> {
  const want = process.env.CT_TEST_BACKEND ?? 'wasm';
  if (want === 'wasm') registerWasmTrainingKernels();
  await tf.setBackend(want);
  await tf.ready();
  return tf.getBackend();
}
