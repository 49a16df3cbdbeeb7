import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeSegmenterConfig } from './config';
import { instancesFromLabelMap } from './data/instances';
import { prepareTrainingSample } from './data/prepare';
import { MaskRcnn, LOSS_NAMES } from './maskRcnn';
import { createRng } from './random';
import { Adam } from './train/adam';
import { DEFAULT_AUGMENT } from './data/augment';
import { segmenterStep } from './train/trainSegmenter';
import { useTestBackend } from './train/testBackend';

/** A synthetic slice: two bright discs (class 1 and 2) on a dark background. */
function syntheticSlice(h = 96, w = 112) {
  const pixels = new Float32Array(h * w).fill(0.1);
  const labels = new Uint8Array(h * w);
  const disc = (cy: number, cx: number, r: number, label: number, v: number) => {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((y - cy) ** 2 + (x - cx) ** 2 <= r * r) { pixels[y * w + x] = v; labels[y * w + x] = label; }
  };
  disc(30, 30, 12, 1, 0.5);
  disc(60, 80, 9, 2, 0.9);
  return { sample: { id: 's', image: { height: h, width: w, pixels }, labels, mode: 'classes' as const } };
}

const cfg = makeSegmenterConfig('tiny', 'both', { transform: { minSize: 128, maxSize: 160 } });

describe('MaskRcnn (tiny)', () => {
  beforeAll(async () => { await useTestBackend(); });

  it('runs inference on random weights with consistent output shapes', () => {
    const model = new MaskRcnn(cfg, 3);
    const { sample } = syntheticSlice();
    const { input } = prepareTrainingSample(sample.image, sample.labels, 'classes', cfg);
    expect(input.image.shape).toEqual([1, 128, 160, 3]);
    const det = model.detect(input, { scoreThresh: -0.01, detectionsPerImg: 20 });
    const d = det.scores.length;
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThanOrEqual(20);
    expect(det.boxes.length).toBe(4 * d);
    expect(det.maskProbs!.length).toBe(d * 28 * 28);
    for (let i = 1; i < d; i++) expect(det.scores[i]).toBeLessThanOrEqual(det.scores[i - 1]);
    for (const l of det.labels) expect([1, 2]).toContain(l);
    input.image.dispose();
    model.dispose();
  });

  it('gives five finite losses, and training steps leak no tensors', () => {
    const model = new MaskRcnn(cfg, 3);
    const adam = new Adam({ lr: 1e-3, weightDecay: 1e-3, weightDecayMode: 'decoupled' });
    const rng = createRng(5);
    const { sample } = syntheticSlice();
    const first = segmenterStep(model, sample, rng, adam, { augment: DEFAULT_AUGMENT });
    for (const n of LOSS_NAMES) expect(Number.isFinite(first[n]), n).toBe(true);
    expect(first.loss_mask).toBeGreaterThan(0);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) segmenterStep(model, sample, rng, adam, { augment: DEFAULT_AUGMENT });
    expect(tf.memory().numTensors).toBe(before);
    adam.dispose();
    model.dispose();
  });

  it('is deterministic: the same seed gives the same losses after a few steps', () => {
    const run = () => {
      const model = new MaskRcnn(cfg, 11);
      const adam = new Adam({ lr: 1e-3, weightDecay: 0, weightDecayMode: 'l2' });
      const rng = createRng(12);
      const { sample } = syntheticSlice();
      let last: Record<string, number> = {};
      for (let i = 0; i < 3; i++) last = segmenterStep(model, sample, rng, adam, { augment: DEFAULT_AUGMENT });
      adam.dispose();
      model.dispose();
      return last;
    };
    const a = run();
    const b = run();
    expect(b).toEqual(a);
  });

  it('trains on a lesion-free slice (torchvision negative sample): finite losses, no box or mask loss, toward background', () => {
    const model = new MaskRcnn(cfg, 3);
    const { sample } = syntheticSlice();
    const negative = { ...sample, id: 'negative', labels: new Uint8Array(sample.labels.length) };
    const { input, targets } = prepareTrainingSample(negative.image, negative.labels, 'classes', cfg);
    expect(targets.labels.length).toBe(0);
    const losses = () => tf.tidy(() => Object.fromEntries(Object.entries(model.lossTerms(input, targets, createRng(9))).map(([k, v]) => [k, v.dataSync()[0]])));
    // how sure the model is that something is there: the foreground probability mass over every proposal
    const foreground = () => model.detect(input, { scoreThresh: -0.01, detectionsPerImg: 1000, withMasks: false }).scores.reduce((a, b) => a + b, 0);
    const before = losses();
    for (const n of LOSS_NAMES) expect(Number.isFinite(before[n]), n).toBe(true);
    expect(before.loss_mask).toBe(0);
    expect(before.loss_box_reg).toBe(0);
    expect(before.loss_rpn_box_reg).toBe(0);
    expect(before.loss_objectness).toBeGreaterThan(0);
    expect(before.loss_classifier).toBeGreaterThan(0);
    const foregroundBefore = foreground();
    const adam = new Adam({ lr: 1e-3, weightDecay: 0, weightDecayMode: 'decoupled' });
    const rng = createRng(10);
    for (let i = 0; i < 5; i++) {
      const step = segmenterStep(model, negative, rng, adam, { augment: null });
      expect(step.loss_mask).toBe(0);
    }
    const after = losses();
    // every sample is background: the steps lower objectness and the class scores of every lesion class
    expect(after.loss_objectness).toBeLessThan(before.loss_objectness);
    expect(after.loss_classifier).toBeLessThan(before.loss_classifier);
    expect(foreground()).toBeLessThan(foregroundBefore);
    input.image.dispose();
    adam.dispose();
    model.dispose();
  });

  it('finds one instance per connected component', () => {
    const { sample } = syntheticSlice();
    const inst = instancesFromLabelMap(sample.labels, 96, 112, 2, 4);
    expect(Array.from(inst.labels)).toEqual([1, 2]);
    expect(Array.from(inst.boxes.subarray(0, 4))).toEqual([18, 18, 43, 43]);
  });
});

describe('presets', () => {
  beforeAll(async () => { await useTestBackend(); });

  it.each(['light', 'full'] as const)('%s builds with its documented size, runs inference and a training step', (preset) => {
    const cfg = makeSegmenterConfig(preset, 'both', { transform: { minSize: 64, maxSize: 128 } });
    const model = new MaskRcnn(cfg, 1);
    const params = model.ps.numParameters();
    console.log(`${preset}: ${(params / 1e6).toFixed(2)}M parameters`);
    // model-spec: light 6.50M; the paper's full segmenter (ResNet50-FPN, box head 128) 31.78M
    const expected = preset === 'light' ? 6.5 : 31.78;
    expect(Math.abs(params / 1e6 - expected)).toBeLessThan(0.3);
    const { sample } = syntheticSlice();
    const { input } = prepareTrainingSample(sample.image, sample.labels, 'classes', cfg);
    const det = model.detect(input, { scoreThresh: -0.01, detectionsPerImg: 5 });
    expect(det.scores.length).toBe(5);
    expect(det.maskProbs!.length).toBe(5 * 28 * 28);
    input.image.dispose();
    // one training step through every level (full: 4 RoI levels + the RPN-only pool level)
    const adam = new Adam({ lr: 1e-4, weightDecay: 0, weightDecayMode: 'decoupled' });
    const losses = segmenterStep(model, sample, createRng(1), adam, { augment: null });
    for (const n of LOSS_NAMES) expect(Number.isFinite(losses[n]), n).toBe(true);
    adam.dispose();
    model.dispose();
  });
});
