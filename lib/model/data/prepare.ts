/**
 * Slice → network input (and training targets), through transform.ts (GeneralizedRCNNTransform):
 * grey [0,1] replicated to 3 channels, ImageNet-normalised, resized so the short side is minSize (long
 * side ≤ maxSize), zero-padded to a multiple of sizeDivisible. Targets come from the label map resized
 * with nearest neighbour, split into connected components (instances.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { SegmenterConfig } from '../config';
import type { ModelInput } from '../maskRcnn';
import { postprocessBoxes, resizeMaskNearest, transformImage } from '../transform';
import type { GreySlice } from './augment';
import { instancesFromLabelMap, labelsForMaskType, unknownLesionLabel, type Instances } from './instances';

export interface PreparedInput extends ModelInput {
  originalHW: [number, number];
}

export function prepareInput(slice: GreySlice, cfg: SegmenterConfig): PreparedInput {
  // grey replicated to 3 channels in JS (wasm's Tile took ~50 ms on a 457×351 slice)
  const rgb = new Float32Array(slice.pixels.length * 3);
  for (let i = 0; i < slice.pixels.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = slice.pixels[i];
  return tf.tidy(() => {
    const t = transformImage(tf.tensor3d(rgb, [slice.height, slice.width, 3]), cfg.transform);
    return { image: t.batch, imageHW: t.imageSize, originalHW: t.originalSize };
  });
}

export function prepareTrainingSample(slice: GreySlice, labels: Uint8Array, sourceMode: 'classes' | 'merged', cfg: SegmenterConfig): { input: PreparedInput; targets: Instances } {
  const input = prepareInput(slice, cfg);
  const [h, w] = input.imageHW;
  // labels run up to unknownLesionLabel (merged data in a GGO/C model)
  const maxLabel = unknownLesionLabel(cfg.classNames.length);
  const resized = resizeLabelMap(labelsForMaskType(labels, sourceMode, cfg.maskType), maxLabel, [slice.height, slice.width], [h, w]);
  // minInstanceArea is in original pixels; scale it to the resized image.
  const scale = (h * w) / (slice.height * slice.width);
  const targets = instancesFromLabelMap(resized, h, w, maxLabel, Math.max(1, Math.round(cfg.minInstanceArea * scale)));
  return { input, targets };
}

/**
 * Nearest-neighbour resize of a multi-class label map: transform.resizeMaskNearest is binary, so each
 * class goes through it on its own (same sampling grid, so the classes never overlap).
 */
export function resizeLabelMap(labels: Uint8Array, numClasses: number, fromHW: [number, number], toHW: [number, number]): Uint8Array {
  const out = new Uint8Array(toHW[0] * toHW[1]);
  for (let c = 1; c <= numClasses; c++) {
    const binary = new Uint8Array(labels.length);
    for (let i = 0; i < labels.length; i++) binary[i] = labels[i] === c ? 1 : 0;
    const r = resizeMaskNearest(binary, fromHW, toHW);
    for (let i = 0; i < r.length; i++) if (r[i]) out[i] = c;
  }
  return out;
}

/** Detection boxes from resized-image pixels back to the original slice. */
export function boxesToOriginal(boxes: Float32Array, imageHW: readonly [number, number], originalHW: readonly [number, number]): Float32Array {
  return postprocessBoxes(boxes, imageHW, originalHW);
}
