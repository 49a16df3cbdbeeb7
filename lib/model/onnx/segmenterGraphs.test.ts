/**
 * Each ONNX stage against its TensorFlow.js twin, on random weights (GroupNorm affine parameters too) and
 * small random tensors: trunk + FPN (every level) and the RPN head through the dense graph, the box head and
 * the mask head through theirs. Max abs error ≤ 1e-4.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { createBackbone } from '../backbones';
import { makeSegmenterConfig, type SegmenterConfig } from '../config';
import { ParamStore } from '../layers';
import { createMaskHead } from '../maskHead';
import { createRng } from '../random';
import { createBoxHead } from '../roiHeads';
import { createRpnHead } from '../rpn';
import { weightsOfParamStore } from './layers';
import { boxHeadGraph, denseGraph, maskHeadGraph, ONNX_NAMES } from './segmenterGraphs';

/** Every parameter of the model's stages, re-drawn at random (so γ ≠ 1, β ≠ 0 and biases ≠ 0 are tested). */
function randomStages(cfg: SegmenterConfig, seed: number) {
  const ps = new ParamStore(seed);
  const k = cfg.classNames.length + 1;
  const backbone = createBackbone(ps, cfg.backbone);
  const numAnchors = cfg.anchors.sizes[0].length * cfg.anchors.aspectRatios.length;
  const rpn = createRpnHead(ps, cfg.backbone.outChannels, numAnchors);
  const box = createBoxHead(ps, cfg.backbone.outChannels, cfg.roiHeads, k);
  const mask = createMaskHead(ps, cfg.backbone.outChannels, cfg.maskHead, k);
  const rng = createRng(seed + 1);
  for (const name of ps.names()) {
    const v = ps.get(name);
    const scale = name.endsWith('.norm.weight') ? 1 : name.endsWith('.bias') ? 0.2 : Math.sqrt(2 / (v.shape.slice(0, -1).reduce((a, b) => a * b, 1) || 1));
    const data = Float32Array.from({ length: v.size }, () => (name.endsWith('.norm.weight') ? 1 + 0.3 * rng.normal() : scale * rng.normal()));
    v.assign(tf.tensor(data, v.shape));
  }
  return { ps, backbone, rpn, box, mask, weights: weightsOfParamStore(ps), k };
}

const randomTensor = (shape: number[], seed: number) => {
  const rng = createRng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal());
};

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const session = (bytes: Uint8Array) => ort.InferenceSession.create(bytes);

function nhwcToNchw(x: Float32Array, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[k * h * w + p] = x[c * p + k];
  return out;
}

const CONFIGS: [string, SegmenterConfig][] = [
  ['tiny', makeSegmenterConfig('tiny', 'both')],
  // two FPN levels and the pool level: the top-down Resize, the level concat and the extra MaxPool
  ['tiny with a 2-level FPN', makeSegmenterConfig('tiny', 'both', { backbone: { fpnStages: [1, 2], fpnExtraPool: true }, anchors: { sizes: [[8, 16], [32, 64], [128, 256]] } })],
  ['light (ResNet18, max-pool stem)', makeSegmenterConfig('light', 'ggo')],
];

describe.each(CONFIGS)('ONNX stages match their TensorFlow.js twins: %s', (_, cfg) => {
  const TOL = 1e-4;

  it('dense graph: every FPN level and the RPN head outputs', async () => {
    const s = randomStages(cfg, 3);
    const [h, w] = [64, 96];
    const image = randomTensor([1, h, w, 3], 5);
    const feats = s.backbone.forward(tf.tensor4d(image, [1, h, w, 3]));
    const head = s.rpn(feats);
    const out = await (await session(denseGraph(cfg, s.weights))).run({ [ONNX_NAMES.image]: new ort.Tensor('float32', nhwcToNchw(image, h, w, 3), [1, 3, h, w]) });
    expect(feats.length).toBe(cfg.backbone.fpnStages.length + (cfg.backbone.fpnExtraPool ? 1 : 0));
    feats.forEach((f, i) => {
      expect(out[ONNX_NAMES.feature(i)].dims).toEqual(f.shape);
      expect(maxAbsDiff(out[ONNX_NAMES.feature(i)].data as Float32Array, f.dataSync())).toBeLessThanOrEqual(TOL);
    });
    expect(maxAbsDiff(out[ONNX_NAMES.objectness].data as Float32Array, head.objectness.dataSync())).toBeLessThanOrEqual(TOL);
    expect(maxAbsDiff(out[ONNX_NAMES.deltas].data as Float32Array, head.deltas.dataSync())).toBeLessThanOrEqual(TOL);
    s.ps.dispose();
  });

  it('box head on RoI features', async () => {
    const s = randomStages(cfg, 4);
    const r = cfg.roiHeads.boxRoiSize, c = cfg.backbone.outChannels;
    const x = randomTensor([5, r, r, c], 6);
    const want = s.box(tf.tensor4d(x, [5, r, r, c]));
    const got = await (await session(boxHeadGraph(cfg, s.weights))).run({ [ONNX_NAMES.boxRoiFeatures]: new ort.Tensor('float32', x, [5, r, r, c]) });
    expect(maxAbsDiff(got[ONNX_NAMES.classLogits].data as Float32Array, want.classLogits.dataSync())).toBeLessThanOrEqual(TOL);
    expect(maxAbsDiff(got[ONNX_NAMES.boxRegression].data as Float32Array, want.boxRegression.dataSync())).toBeLessThanOrEqual(TOL);
    s.ps.dispose();
  });

  it('mask head on RoI features (sigmoid probabilities, NHWC)', async () => {
    const s = randomStages(cfg, 5);
    const r = cfg.maskHead.roiSize, c = cfg.backbone.outChannels;
    const x = randomTensor([3, r, r, c], 7);
    const want = tf.sigmoid(s.mask(tf.tensor4d(x, [3, r, r, c])));
    const got = await (await session(maskHeadGraph(cfg, s.weights))).run({ [ONNX_NAMES.maskRoiFeatures]: new ort.Tensor('float32', x, [3, r, r, c]) });
    expect(got[ONNX_NAMES.maskProbs].dims).toEqual(want.shape);
    expect(maxAbsDiff(got[ONNX_NAMES.maskProbs].data as Float32Array, want.dataSync())).toBeLessThanOrEqual(TOL);
    s.ps.dispose();
  });
});
