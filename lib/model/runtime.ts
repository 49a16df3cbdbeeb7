/**
 * Backend start-up for scripts and workers: selectBackend() from lib/model/backend (native → wasm with
 * training kernels → cpu) when that module is present, else wasm with the training kernels.
 */
import * as tf from '@tensorflow/tfjs';

export async function initModelBackend(): Promise<string> {
  try {
    const mod = (await import('./backend')) as { selectBackend?: () => Promise<unknown> };
    if (mod.selectBackend) {
      await mod.selectBackend();
      return tf.getBackend();
    }
  } catch {
    // lib/model/backend/index.ts not there: fall through to wasm
  }
  const { useTestBackend } = await import('./train/testBackend');
  const name = await useTestBackend();
  console.error(`[model] backend=${name} (fallback)`);
  return name;
}
