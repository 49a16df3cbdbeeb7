/**
 * Registers, for the wasm backend, the kernels a Mask R-CNN training step needs and tfjs-backend-wasm 4.22
 * lacks or runs slowly. Kernels (not gradients) are registered so that every op whose gradient calls them
 * — `tf.conv2d`, `tf.fused.conv2d`, `tf.conv2dTranspose`, `tf.layers`, `tf.gather` — is covered.
 * `probeTrainingKernels()` finds what is missing (scripts/bench-kernels.ts prints it before registration).
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@/lib/model/tf';
import { conv2DBackpropFilterKernel } from './conv2DBackpropFilter';
import { conv2DBackpropInputKernel } from './conv2DBackpropInput';
import { depthwiseConv2dNativeBackpropFilterKernel, depthwiseConv2dNativeBackpropInputKernel } from './depthwiseConv2dNativeBackprop';
import { maxPoolGradKernel } from './maxPoolGrad';
import { unsortedSegmentSumKernel } from './unsortedSegmentSum';

const BACKEND = 'wasm';

/** Kernels wasm does not have at all. */
const missing: KernelConfig[] = [
  conv2DBackpropFilterKernel(BACKEND),
  unsortedSegmentSumKernel(BACKEND),
  depthwiseConv2dNativeBackpropFilterKernel(BACKEND),
  depthwiseConv2dNativeBackpropInputKernel(BACKEND),
];

/**
 * Kernels wasm has as scalar loops, replaced by faster ones: XNNPACK-based (see the bench script), or a JS
 * loop that also follows cpu's tie rule (MaxPoolGrad).
 */
const faster: KernelConfig[] = [conv2DBackpropInputKernel(BACKEND), maxPoolGradKernel(BACKEND)];

const registered = new Set<KernelConfig>();

/**
 * Idempotent; returns the names of the kernels this module provides for wasm. Safe to call before or after
 * the wasm backend is initialised (these kernels need no setup of their own). A kernel that a later
 * tfjs-backend-wasm brings itself is left alone and not listed.
 */
export function registerWasmTrainingKernels(): string[] {
  for (const config of missing) {
    if (registered.has(config) || getKernel(config.kernelName, BACKEND) != null) continue;
    registerKernel(config);
    registered.add(config);
  }
  for (const config of faster) {
    if (registered.has(config)) continue;
    if (getKernel(config.kernelName, BACKEND) != null) unregisterKernel(config.kernelName, BACKEND);
    registerKernel(config);
    registered.add(config);
  }
  return [...registered].map((c) => c.kernelName);
}
