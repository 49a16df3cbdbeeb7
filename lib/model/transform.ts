/**
 * torchvision GeneralizedRCNNTransform (eval/train resize, normalisation, batching) and the box/mask
 * mappings between original and resized images. Images are NHWC / HWC float tensors in [0, 1].
 *
 * Every size and statistic comes from the config's `transform` (config.ts: the presets).
 *   resizedSize([h, w], minSize, maxSize): { scale, size: [h', w'] }
 *        scale = float32(min(minSize/min(h,w), maxSize/max(h,w))), h' = floor(h·scale) (351×457 → 511×666)
 *   normalizeImage(image [..., 3], mean, std): Tensor       — (x − mean_c) / std_c
 *   resizeImage(image [H,W,C] | [N,H,W,C], [h', w']): Tensor  — bilinear, half-pixel centres, no antialias
 *   batchImages(images: Tensor3D[], sizeDivisible): { batch: Tensor4D, imageSizes }
 *        zero-pad bottom/right to the largest size rounded up to a multiple of sizeDivisible
 *   transformImage(image [H,W,3], cfg): { batch [1,Hp,Wp,3], imageSize: [h', w'], originalSize: [h, w] }
 *        normalise, resize and pad one image (what the detector consumes)
 *   resizeBoxes(boxes, fromHW, toHW): Boxes                    — x·float32(w'/w), y·float32(h'/h)
 *   postprocessBoxes(boxes, resizedHW, originalHW): Boxes      — detections back to the original image
 *   resizeMaskNearest(mask [h*w], [h, w], [h', w']): Uint8Array — src = floor(dst·in/out), as torch
 */
import * as tf from '@tensorflow/tfjs';
import type { Boxes } from './boxOps';
import type { SegmenterConfig } from './config';

export type TransformConfig = SegmenterConfig['transform'];

const f = Math.fround;

export function resizedSize(
  [h, w]: readonly [number, number],
  minSize: number,
  maxSize: number,
): { scale: number; size: [number, number] } {
  if (!(h > 0 && w > 0)) throw new Error(`cannot resize an empty ${h}×${w} image`);
  // float32 like the reference: a double scale would give 512×666 instead of 511×666 for 351×457
  const scale = Math.min(f(f(minSize) / f(Math.min(h, w))), f(f(maxSize) / f(Math.max(h, w))));
  return { scale, size: [Math.floor(h * scale), Math.floor(w * scale)] };
}

export function normalizeImage(
  image: tf.Tensor,
  mean: readonly number[],
  std: readonly number[],
): tf.Tensor {
  return tf.tidy(() => tf.div(tf.sub(image, tf.tensor1d(mean as number[])), tf.tensor1d(std as number[])));
}

export function resizeImage<T extends tf.Tensor3D | tf.Tensor4D>(image: T, size: readonly [number, number]): T {
  return tf.image.resizeBilinear(image, [size[0], size[1]], false, true);
}

export function batchImages(
  images: readonly tf.Tensor3D[],
  sizeDivisible: number,
): { batch: tf.Tensor4D; imageSizes: [number, number][] } {
  if (images.length === 0) throw new Error('batchImages needs at least one image');
  const imageSizes = images.map((im) => [im.shape[0], im.shape[1]] as [number, number]);
  const ph = Math.ceil(Math.max(...imageSizes.map((s) => s[0])) / sizeDivisible) * sizeDivisible;
  const pw = Math.ceil(Math.max(...imageSizes.map((s) => s[1])) / sizeDivisible) * sizeDivisible;
  const batch = tf.tidy(() =>
    tf.stack(images.map((im) => tf.pad(im, [[0, ph - im.shape[0]], [0, pw - im.shape[1]], [0, 0]]))) as tf.Tensor4D,
  );
  return { batch, imageSizes };
}

export function transformImage(
  image: tf.Tensor3D,
  cfg: TransformConfig,
): { batch: tf.Tensor4D; imageSize: [number, number]; originalSize: [number, number] } {
  const originalSize: [number, number] = [image.shape[0], image.shape[1]];
  const { size } = resizedSize(originalSize, cfg.minSize, cfg.maxSize);
  const resized = tf.tidy(() => resizeImage(normalizeImage(image, cfg.imageMean, cfg.imageStd) as tf.Tensor3D, size));
  const { batch } = batchImages([resized], cfg.sizeDivisible);
  resized.dispose();
  return { batch, imageSize: size, originalSize };
}

export function resizeBoxes(boxes: Boxes, fromHW: readonly [number, number], toHW: readonly [number, number]): Boxes {
  const rh = f(f(toHW[0]) / f(fromHW[0]));
  const rw = f(f(toHW[1]) / f(fromHW[1]));
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = boxes[i] * rw;
    out[i + 1] = boxes[i + 1] * rh;
    out[i + 2] = boxes[i + 2] * rw;
    out[i + 3] = boxes[i + 3] * rh;
  }
  return out;
}

export function postprocessBoxes(boxes: Boxes, resizedHW: readonly [number, number], originalHW: readonly [number, number]): Boxes {
  return resizeBoxes(boxes, resizedHW, originalHW);
}

export function resizeMaskNearest(mask: ArrayLike<number>, [h, w]: readonly [number, number], [oh, ow]: readonly [number, number]): Uint8Array {
  if (mask.length !== h * w) throw new Error(`resizeMaskNearest: ${mask.length} values are not a ${h}×${w} mask`);
  // torch's nearest: float32 scale in/out, floor, clamp to the last pixel
  const sy = f(h / oh);
  const sx = f(w / ow);
  const cols = Int32Array.from({ length: ow }, (_, x) => Math.min(Math.floor(f(x * sx)), w - 1));
  const out = new Uint8Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    const src = Math.min(Math.floor(f(y * sy)), h - 1) * w;
    for (let x = 0; x < ow; x++) out[y * ow + x] = mask[src + cols[x]] ? 1 : 0;
  }
  return out;
}
