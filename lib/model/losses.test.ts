import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { f32, fixtureTitle, hasReference, loadReference } from '@/lib/testing/reference';
import { bceWithLogits, classWeights, fastrcnnLoss, rpnLoss, smoothL1, softmaxCrossEntropy } from './losses';
import { maskrcnnLoss } from './maskTargets';
import { selectRoiTrainingSamples, selectRpnTrainingSamples, type Sampler } from './sampler';
import { presetConfig } from './config';
import { roiTargetOptions } from './roiHeads';
import { rpnTargetOptions } from './rpn';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The paper's matching thresholds and box weights (the light and full presets). */
const paper = presetConfig('light');
const rpnOptions = rpnTargetOptions(paper.rpn);
const roiOptions = roiTargetOptions(paper.roiHeads);

const given = (positive: number[], negative: number[]): Sampler => () => ({ positive: Int32Array.from(positive), negative: Int32Array.from(negative) });
const relErr = (a: number, e: number) => Math.abs(a - e) / Math.abs(e);

describe('elementwise losses', () => {
  it('smooth-L1 is quadratic below β, linear above, and differentiable everywhere', () => {
    const beta = 1 / 9;
    const z = [-1, -beta, -0.05, 0, 0.05, beta, 0.3];
    const expected = z.map((v) => (Math.abs(v) < beta ? (0.5 * v * v) / beta : Math.abs(v) - 0.5 * beta));
    const x = tf.tensor1d(z);
    const got = smoothL1(x).arraySync() as number[];
    got.forEach((g, i) => expect(g).toBeCloseTo(expected[i], 6));
    const grad = tf.grad((t: tf.Tensor) => smoothL1(t).sum())(x).arraySync() as number[];
    const expectedGrad = z.map((v) => (Math.abs(v) < beta ? v / beta : Math.sign(v)));
    grad.forEach((g, i) => expect(g).toBeCloseTo(expectedGrad[i], 5));
  });

  it('BCE with logits is stable for large |x| and matches the naive formula elsewhere', () => {
    const x = [-80, -3, -0.5, 0, 0.5, 3, 80];
    const y = [0, 1, 0.3, 1, 0, 0.5, 1];
    const got = bceWithLogits(tf.tensor1d(x), tf.tensor1d(y)).arraySync() as number[];
    got.forEach((g, i) => {
      const p = 1 / (1 + Math.exp(-x[i]));
      const naive = -(y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p));
      expect(Number.isFinite(g)).toBe(true);
      if (Number.isFinite(naive)) expect(g).toBeCloseTo(naive, 5);
    });
    expect(got[0]).toBeCloseTo(0, 6);
    expect(got[6]).toBeCloseTo(0, 6);
  });

  it('softmax cross-entropy is logsumexp minus the label logit', () => {
    const ce = softmaxCrossEntropy(tf.tensor2d([[1, 2, 3], [0, 0, 0]]), [2, 0]).arraySync() as number[];
    expect(ce[0]).toBeCloseTo(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3, 6);
    expect(ce[1]).toBeCloseTo(Math.log(3), 6);
    expect(() => softmaxCrossEntropy(tf.tensor2d([[1, 2]]), [3])).toThrow(/outside/);
  });
});

describe.skipIf(!hasReference())(fixtureTitle('rpn_losses.json'), () => {
  const ref = hasReference() ? loadReference('rpn_losses.json') : null;

  it('reproduces both RPN losses (rel 1e-5) and differentiates only through sampled anchors', () => {
    const targets = selectRpnTrainingSamples(f32(ref.anchors), f32(ref.gt_boxes), given(ref.sampled_pos_inds, ref.sampled_neg_inds), rpnOptions);
    const obj = tf.tensor1d(f32(ref.objectness_logits));
    const del = tf.tensor2d(f32(ref.pred_bbox_deltas), [24, 4]);
    const loss = rpnLoss(obj, del, targets);
    expect(relErr(loss.objectness.dataSync()[0], ref.loss_objectness)).toBeLessThan(1e-5);
    expect(relErr(loss.boxReg.dataSync()[0], ref.loss_rpn_box_reg)).toBeLessThan(1e-5);
    const [gObj, gDel] = tf.grads((o: tf.Tensor, d: tf.Tensor) => {
      const l = rpnLoss(o as tf.Tensor1D, d as tf.Tensor2D, targets);
      return tf.add(l.objectness, l.boxReg);
    })([obj, del]);
    const sampled = new Set([...ref.sampled_pos_inds, ...ref.sampled_neg_inds]);
    const go = gObj.dataSync();
    const gd = gDel.dataSync();
    for (let a = 0; a < 24; a++) {
      expect(go[a] !== 0, `objectness grad of anchor ${a}`).toBe(sampled.has(a));
      const moves = [0, 1, 2, 3].some((k) => gd[4 * a + k] !== 0);
      expect(moves, `delta grad of anchor ${a}`).toBe(ref.sampled_pos_inds.includes(a));
    }
  });
});

describe.skipIf(!hasReference())(fixtureTitle('roi_losses.json'), () => {
  const ref = hasReference() ? loadReference('roi_losses.json') : null;

  it('reproduces fastrcnn_loss (rel 1e-5) using only the gt class deltas of positives', () => {
    const s = selectRoiTrainingSamples(f32(ref.proposals), f32(ref.gt_boxes), ref.gt_labels, given(ref.sampled_pos_inds, ref.sampled_neg_inds), roiOptions);
    const logits = tf.tensor2d(f32(ref.class_logits), [7, 3]);
    const reg = tf.tensor2d(f32(ref.box_regression), [7, 12]);
    const loss = fastrcnnLoss(logits, reg, s.labels, s.regressionTargets);
    expect(relErr(loss.classifier.dataSync()[0], ref.loss_classifier)).toBeLessThan(1e-5);
    expect(relErr(loss.boxReg.dataSync()[0], ref.loss_box_reg)).toBeLessThan(1e-5);
    const g = tf.grad((r: tf.Tensor) => fastrcnnLoss(logits, r as tf.Tensor2D, s.labels, s.regressionTargets).boxReg)(reg).dataSync();
    for (let i = 0; i < 7; i++)
      for (let col = 0; col < 12; col++)
        expect(g[i * 12 + col] !== 0, `row ${i} col ${col}`).toBe(s.labels[i] > 0 && Math.floor(col / 4) === s.labels[i]);
  });
});

describe('losses with zero-area anchors (hand-made)', () => {
  it('ignores the infinite targets of non-positive anchors and of a degenerate positive', () => {
    const inf = Number.POSITIVE_INFINITY;
    const targets = {
      labels: Float32Array.from([1, 0, -1, 1]),
      regressionTargets: Float32Array.from([0.1, 0.2, 0.3, 0.4, inf, -inf, inf, 0, NaN, 1, 1, 1, 0, 0, inf, 0]),
      positive: Int32Array.from([0, 3]),
      negative: Int32Array.from([1]),
    };
    const deltas = tf.zeros([4, 4]) as tf.Tensor2D;
    const loss = rpnLoss(tf.zeros([4]) as tf.Tensor1D, deltas, targets);
    const box = loss.boxReg.dataSync()[0];
    const beta = 1 / 9;
    const sl1 = (z: number) => (Math.abs(z) < beta ? (0.5 * z * z) / beta : Math.abs(z) - 0.5 * beta);
    // anchor 0 counts fully; anchor 3 counts for its three finite components (all zero)
    expect(box).toBeCloseTo((sl1(0.1) + sl1(0.2) + sl1(0.3) + sl1(0.4)) / 3, 5);
    expect(loss.objectness.dataSync()[0]).toBeCloseTo(Math.log(2), 5);
    const g = tf.grad((d: tf.Tensor) => rpnLoss(tf.zeros([4]) as tf.Tensor1D, d as tf.Tensor2D, targets).boxReg)(deltas).dataSync();
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
  });
});

describe('lesions of unknown class (merged-lesion data in a GGO/C model)', () => {
  it('classification: −log of the summed foreground probability', () => {
    const z = [[0.3, 1.2, -0.4], [2, 0.1, 0.5]];
    const ce = softmaxCrossEntropy(tf.tensor2d(z), [3, 0]).arraySync();
    const p = (row: number[]) => row.map((v) => Math.exp(v) / row.reduce((a, u) => a + Math.exp(u), 0));
    expect(ce[0]).toBeCloseTo(-Math.log(p(z[0])[1] + p(z[0])[2]), 5);
    expect(ce[1]).toBeCloseTo(-Math.log(p(z[1])[0]), 5);
    expect(Array.from(classWeights([3, 2, 0], 3))).toEqual([0, 0.5, 0.5, 0, 0, 1, 1, 0, 0]);
    expect(() => classWeights([4], 3)).toThrow(/outside/);
  });

  it('box regression: the mean of the foreground classes’ losses', () => {
    const logits = tf.zeros([1, 3]) as tf.Tensor2D;
    const reg = tf.tensor2d([[0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3]]);
    const targets = new Float32Array(4);
    const unknown = fastrcnnLoss(logits, reg, [3], targets).boxReg.arraySync();
    const ggo = fastrcnnLoss(logits, reg, [1], targets).boxReg.arraySync();
    const c = fastrcnnLoss(logits, reg, [2], targets).boxReg.arraySync();
    expect(unknown).toBeCloseTo((ggo + c) / 2, 6);
    expect(ggo).not.toBeCloseTo(c, 3);
  });

  it('mask: the mean of the foreground classes’ BCE, and the gt class alone otherwise', () => {
    const logits = tf.tensor4d([[[[5, -1, 2]]]]); // one RoI, 1×1 mask, 3 classes
    const t = Float32Array.from([1]);
    const bce = (x: number) => Math.log1p(Math.exp(-x));
    expect(maskrcnnLoss(logits, [1], t).arraySync()).toBeCloseTo(bce(-1), 5);
    expect(maskrcnnLoss(logits, [3], t).arraySync()).toBeCloseTo((bce(-1) + bce(2)) / 2, 5);
  });
});
