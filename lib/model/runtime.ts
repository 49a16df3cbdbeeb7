/**
 * Backend start-up for scripts and workers: selectBackend() (native → wasm with training kernels →
 * cpu; CTMS_TF_BACKEND overrides), which logs one line. Logs go to stderr so that a CLI's last stdout
 * line stays its JSON result.
 */
import { selectBackend } from './backend';

export async function initModelBackend(): Promise<string> {
  const s = await selectBackend({ log: (line) => console.error(line) });
  return s.tfBackend;
}
