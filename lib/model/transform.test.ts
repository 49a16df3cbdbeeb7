import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { f32, firstMismatch, fixtureTitle, hasReference, loadReference, maskRows } from '@/lib/testing/reference';
import { batchImages, normalizeImage, postprocessBoxes, resizeBoxes, resizedSize, resizeImage, resizeMaskNearest, transformImage } from './transform';
import { presetConfig } from './config';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.skipIf(!hasReference())(fixtureTitle('image_transform.json'), () => {
  const ref = hasReference() ? loadReference('image_transform.json') : null;

  it('computes the float32 scale, resized and padded sizes exactly', () => {
    for (const cs of ref.resize_cases) {
      const { scale, size } = resizedSize(cs.original_hw, ref.meta.min_size, ref.meta.max_size);
      expect(scale, JSON.stringify(cs.original_hw)).toBe(cs.scale_float32);
      expect(size, JSON.stringify(cs.original_hw)).toEqual(cs.resized_hw);
      const image = tf.zeros([size[0], size[1], 1]) as tf.Tensor3D;
      const { batch, imageSizes } = batchImages([image], ref.meta.size_divisible);
      expect(batch.shape.slice(1, 3)).toEqual(cs.padded_batch_hw);
      expect(imageSizes).toEqual([cs.resized_hw]);
      tf.dispose([image, batch]);
      // the box ratios are float32(new)/float32(old) per axis
      const unit = Float32Array.from([1, 1, 1, 1]);
      expect(Array.from(resizeBoxes(unit, cs.original_hw, size))).toEqual(Array.from(f32([cs.ratio_hw_forward[1], cs.ratio_hw_forward[0], cs.ratio_hw_forward[1], cs.ratio_hw_forward[0]])));
      expect(Array.from(postprocessBoxes(unit, size, cs.original_hw))).toEqual(Array.from(f32([cs.ratio_hw_postprocess[1], cs.ratio_hw_postprocess[0], cs.ratio_hw_postprocess[1], cs.ratio_hw_postprocess[0]])));
    }
  });

  it('maps boxes back to the original image and forward again (abs 1e-3 px)', () => {
    for (const cs of ref.box_rescale_cases) {
      const original = postprocessBoxes(f32(cs.boxes_in_resized), cs.resized_hw, cs.original_hw);
      expect(firstMismatch(original, f32(cs.boxes_in_original), { abs: 1e-3 })).toBeNull();
      expect(firstMismatch(resizeBoxes(original, cs.original_hw, cs.resized_hw), f32(cs.boxes_forward_again), { abs: 1e-3 })).toBeNull();
    }
  });

  it('normalises, resizes bilinearly and zero-pads the tiny image (abs 1e-5)', () => {
    const t = ref.tiny_end_to_end;
    const chw = f32(t.image);
    const hwc = tf.tidy(() => tf.tensor3d(chw, [3, 7, 9]).transpose([1, 2, 0]) as tf.Tensor3D);
    const cfg = { minSize: t.min_size, maxSize: t.max_size, imageMean: t.image_mean, imageStd: t.image_std, sizeDivisible: t.size_divisible };
    const { batch, imageSize, originalSize } = transformImage(hwc, cfg);
    expect(imageSize).toEqual(t.resized_hw);
    expect(originalSize).toEqual([7, 9]);
    expect(batch.shape).toEqual([1, 32, 32, 3]);
    const [h, w] = t.resized_hw;
    const got = tf.tidy(() => batch.slice([0, 0, 0, 0], [1, h, w, 3]).transpose([0, 3, 1, 2]).dataSync());
    expect(firstMismatch(got, f32(t.normalized_resized), { abs: 1e-5 })).toBeNull();
    const total = tf.tidy(() => batch.abs().sum().dataSync()[0]);
    const inside = tf.tidy(() => batch.slice([0, 0, 0, 0], [1, h, w, 3]).abs().sum().dataSync()[0]);
    expect(total).toBeCloseTo(inside, 3); // the padding is exactly zero
    tf.dispose([hwc, batch]);
  });

  it('resizes the target box and mask (nearest) of the tiny image', () => {
    const t = ref.tiny_end_to_end;
    expect(firstMismatch(resizeBoxes(f32(t.target_boxes), [7, 9], t.resized_hw), f32(t.target_boxes_resized), { abs: 1e-3 })).toBeNull();
    expect(Array.from(resizeMaskNearest(maskRows(t.target_mask_rows), [7, 9], t.resized_hw))).toEqual(Array.from(maskRows(t.target_mask_resized_rows)));
  });
});

describe('transform (hand-made)', () => {
  it('normalises per channel with the ImageNet statistics', () => {
    const { imageMean, imageStd } = presetConfig('tiny').transform;
    const out = normalizeImage(tf.fill([1, 1, 3], 0.5), imageMean, imageStd).dataSync();
    [0, 1, 2].forEach((c) => expect(out[c]).toBeCloseTo((0.5 - imageMean[c]) / imageStd[c], 5));
  });

  it('keeps a constant image constant and rejects empty sizes', () => {
    const out = resizeImage(tf.fill([5, 7, 1], 0.25) as tf.Tensor3D, [11, 3]).dataSync();
    expect(Array.from(out).every((v) => Math.abs(v - 0.25) < 1e-7)).toBe(true);
    expect(() => resizedSize([0, 10], 512, 1024)).toThrow(/empty/);
  });
});
