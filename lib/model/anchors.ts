/**
 * torchvision AnchorGenerator, and the matching flattening of the RPN head's NHWC outputs.
 *
 *   roundHalfEven(x): number                 — torch.round (JS Math.round rounds .5 up)
 *   cellAnchors(sizes, aspectRatios): Float32Array [A*4]
 *        zero-centred anchors, ratio = height/width, ratio outer loop and size inner (row i·nSizes + j)
 *   gridAnchors(cell, [featH, featW], [strideH, strideW]): Float32Array [featH*featW*A*4]
 *        anchor ((y·W + x)·A + a) = cell[a] + (x·strideW, y·strideH) — centres on cell corners, no +stride/2
 *   generateAnchors(paddedImageHW, featureHWs, sizesPerLevel, aspectRatios): { anchors, numPerLevel }
 *        every level's grid, concatenated level by level; stride = paddedImage // feature (integer division)
 *   flattenRpnHead(objectness[], deltas[]): { objectness: Tensor2D [N, total], deltas: Tensor3D [N, total, 4] }
 *        per-level head outputs NHWC [N,Hf,Wf,A] and [N,Hf,Wf,4A] in anchor order (differentiable)
 */
import * as tf from '@tensorflow/tfjs';
import type { Boxes } from './boxOps';

const f = Math.fround;

export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round sends .5 up; torch.round sends it to the even neighbour.
  // (+ 0 turns -0 into 0, as the fixtures write it)
  return (r - x === 0.5 && r % 2 !== 0 ? r - 1 : r) + 0;
}

export function cellAnchors(sizes: readonly number[], aspectRatios: readonly number[]): Float32Array {
  if (sizes.length === 0 || aspectRatios.length === 0) throw new Error('anchors need at least one size and one aspect ratio');
  const out = new Float32Array(sizes.length * aspectRatios.length * 4);
  let row = 0;
  for (const ratio of aspectRatios) {
    if (!(ratio > 0)) throw new Error(`anchor aspect ratios must be positive, got ${ratio}`);
    // float32 throughout, as the reference, so that the exact .5 cases round the same way
    const hRatio = f(Math.sqrt(f(ratio)));
    const wRatio = f(1 / hRatio);
    for (const size of sizes) {
      const ws = f(wRatio * f(size));
      const hs = f(hRatio * f(size));
      out.set([roundHalfEven(-ws / 2), roundHalfEven(-hs / 2), roundHalfEven(ws / 2), roundHalfEven(hs / 2)], 4 * row++);
    }
  }
  return out;
}

export function gridAnchors(
  cell: Float32Array,
  [featH, featW]: readonly [number, number],
  [strideH, strideW]: readonly [number, number],
): Boxes {
  const a = cell.length / 4;
  const out = new Float32Array(featH * featW * cell.length);
  let o = 0;
  for (let y = 0; y < featH; y++) {
    const sy = y * strideH;
    for (let x = 0; x < featW; x++) {
      const sx = x * strideW;
      for (let k = 0; k < a; k++) {
        out[o++] = cell[4 * k] + sx;
        out[o++] = cell[4 * k + 1] + sy;
        out[o++] = cell[4 * k + 2] + sx;
        out[o++] = cell[4 * k + 3] + sy;
      }
    }
  }
  return out;
}

export function generateAnchors(
  paddedImageHW: readonly [number, number],
  featureHWs: readonly (readonly [number, number])[],
  sizesPerLevel: readonly (readonly number[])[],
  aspectRatios: readonly number[],
): { anchors: Boxes; numPerLevel: number[] } {
  if (featureHWs.length !== sizesPerLevel.length)
    throw new Error(`anchor sizes are given for ${sizesPerLevel.length} levels but there are ${featureHWs.length} feature maps`);
  const levels = featureHWs.map((hw, l) => {
    const stride: [number, number] = [Math.floor(paddedImageHW[0] / hw[0]), Math.floor(paddedImageHW[1] / hw[1])];
    return gridAnchors(cellAnchors(sizesPerLevel[l], aspectRatios), hw, stride);
  });
  const anchors = new Float32Array(levels.reduce((s, l) => s + l.length, 0));
  let o = 0;
  for (const l of levels) { anchors.set(l, o); o += l.length; }
  return { anchors, numPerLevel: levels.map((l) => l.length / 4) };
}

export function flattenRpnHead(
  objectness: readonly tf.Tensor4D[],
  deltas: readonly tf.Tensor4D[],
): { objectness: tf.Tensor2D; deltas: tf.Tensor3D } {
  if (objectness.length !== deltas.length) throw new Error('flattenRpnHead: one objectness and one delta map per level');
  return tf.tidy(() => {
    // NHWC already lists (y, x, anchor) in anchor order; channel 4a+k is component k of anchor a.
    const n = objectness[0].shape[0];
    const obj = objectness.map((t) => t.reshape([n, -1]));
    const del = deltas.map((t) => t.reshape([n, -1, 4]));
    return {
      objectness: (obj.length === 1 ? obj[0] : tf.concat(obj, 1)) as tf.Tensor2D,
      deltas: (del.length === 1 ? del[0] : tf.concat(del, 1)) as tf.Tensor3D,
    };
  });
}
