export {
  BACKEND_ENV_VAR,
  BACKEND_NAMES,
  requestedBackend,
  resolveWasmDistDir,
  selectBackend,
  type BackendName,
  type BackendSelection,
  type SelectBackendOptions,
} from './selectBackend';
export { registerWasmTrainingKernels } from './wasmTrainingKernels';
export { probeTrainingKernels, trainingProbeCases, type ProbeCase, type ProbeResult } from './probeTrainingKernels';
