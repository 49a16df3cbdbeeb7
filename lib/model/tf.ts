/**
 * The one `tf` namespace of the model code. Native backends (`@tensorflow/tfjs-node[-gpu]`) and the wasm
 * backend register themselves into the engine that this namespace drives (tfjs keeps its engine and kernel
 * registry in a process-wide global), so importing `tf` from here or from `@tensorflow/tfjs` reaches the
 * backend chosen by `selectBackend()` (lib/model/backend).
 */
export * from '@tensorflow/tfjs';
