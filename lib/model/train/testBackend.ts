/**
 * Backend for the model tests: wasm with the training kernels (the product's CPU path) via
 * selectBackend; CTMS_TF_BACKEND=cpu (or another name) overrides.
 */
import { selectBackend } from '../backend';

export async function useTestBackend(): Promise<string> {
  const s = await selectBackend({ backend: (process.env.CTMS_TF_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm', log: () => {} });
  return s.tfBackend;
}
