import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { f32, firstMismatch, fixtureTitle, hasReference, loadReference } from '@/lib/testing/reference';
import { decodeBoxes } from './boxCoder';
import { boxIou } from './boxOps';
import { filterRpnProposals, paddedRowSource, postprocessDetections, rankedBoxFeatures } from './postprocess';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.skipIf(!hasReference())(fixtureTitle('postprocess_detections.json'), () => {
  const ref = hasReference() ? loadReference('postprocess_detections.json') : null;
  const input = () => ({
    proposals: f32(ref.proposals),
    classLogits: f32(ref.class_logits),
    boxRegression: f32(ref.box_regression),
    imageSize: ref.image_size_hw as [number, number],
  });

  it('decodes every class before clipping', () => {
    const boxes = decodeBoxes(f32(ref.box_regression), f32(ref.proposals), ref.box_coder_weights);
    expect(firstMismatch(boxes, f32(ref.decoded_boxes_unclipped), { abs: 1e-3 })).toBeNull();
  });

  it('returns the reference detections for every threshold pair', () => {
    for (const cs of ref.cases) {
      const d = postprocessDetections(input(), {
        scoreThresh: cs.score_thresh, nmsThresh: cs.nms_thresh, detectionsPerImg: cs.detections_per_img,
        boxWeights: ref.box_coder_weights, minSize: 0.01,
      });
      const what = `score ${cs.score_thresh} nms ${cs.nms_thresh}`;
      expect(d.scores.length, what).toBe(cs.num_detections);
      expect(Array.from(d.labels), what).toEqual(cs.labels);
      expect(Array.from(d.sourceProposal), what).toEqual(cs.source_proposal);
      expect(firstMismatch(d.scores, cs.scores, { abs: 1e-6 }), what).toBeNull();
      expect(firstMismatch(d.boxes, f32(cs.boxes), { abs: 1e-3 }), what).toBeNull();
    }
  });

  it('builds the ranked, padded N×5 input of S with the deltas copied exactly', () => {
    const logits = tf.tensor2d(f32(ref.class_logits), [7, 3]);
    const reg = tf.tensor2d(f32(ref.box_regression), [7, 12]);
    for (const cs of ref.cases) {
      const d = postprocessDetections(input(), {
        scoreThresh: cs.score_thresh, nmsThresh: cs.nms_thresh, detectionsPerImg: cs.detections_per_img,
        boxWeights: ref.box_coder_weights, minSize: 0.01,
      });
      expect(Array.from(paddedRowSource(d.labels.length, 8))).toEqual(cs.padded_row_source.flat());
      for (const [n, expected] of [[8, cs.ranked_encoded_boxes_padded], [d.labels.length, cs.ranked_encoded_boxes]] as [number, number[][]][]) {
        const rows = rankedBoxFeatures(logits, reg, d, n).arraySync() as number[][];
        expect(rows.length).toBe(n);
        rows.forEach((row, i) => {
          expect(Math.abs(row[0] - expected[i][0]), `score of row ${i}`).toBeLessThan(1e-6);
          expect(row.slice(1), `deltas of row ${i}`).toEqual(Array.from(f32(expected[i].slice(1))));
        });
      }
    }
    tf.dispose([logits, reg]);
  });
});

describe('ranked box features (hand-made)', () => {
  it('repeats rows in contiguous blocks, first row = top detection', () => {
    expect(Array.from(paddedRowSource(3, 8))).toEqual([0, 0, 0, 1, 1, 1, 2, 2]);
    expect(Array.from(paddedRowSource(1, 4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(paddedRowSource(10, 4))).toEqual([0, 1, 2, 3]);
    expect(() => paddedRowSource(0, 4)).toThrow(/at least one/);
  });

  it('is all zeros without detections, and passes gradients to the logits and deltas it reads', () => {
    const logits = tf.tensor2d([[0, 1, 2], [2, 1, 0]]);
    const reg = tf.tensor2d(Array.from({ length: 24 }, (_, i) => i / 10), [2, 12]);
    expect((rankedBoxFeatures(logits, reg, { labels: new Int32Array(0), sourceProposal: new Int32Array(0) }, 4).arraySync() as number[][]).flat().every((v) => v === 0)).toBe(true);
    const det = { labels: Int32Array.from([2]), sourceProposal: Int32Array.from([0]) };
    const [gl, gr] = tf.grads((l: tf.Tensor, r: tf.Tensor) => rankedBoxFeatures(l as tf.Tensor2D, r as tf.Tensor2D, det, 3).sum())([logits, reg]);
    const gRows = gr.arraySync() as number[][];
    expect(gRows[0].map((v) => v !== 0)).toEqual(Array.from({ length: 12 }, (_, c) => c >= 8));
    expect(gRows[1].every((v) => v === 0)).toBe(true);
    expect((gl.arraySync() as number[][])[0].some((v) => v !== 0)).toBe(true);
  });
});

describe('postprocess (hand-made)', () => {
  it('drops everything when all scores are below the threshold', () => {
    const d = postprocessDetections({
      proposals: Float32Array.from([0, 0, 10, 10]), classLogits: Float32Array.from([5, 0, 0]),
      boxRegression: new Float32Array(12), imageSize: [20, 20],
    }, { scoreThresh: 0.5, nmsThresh: 0.5, detectionsPerImg: 10, boxWeights: [10, 10, 5, 5], minSize: 0.01 });
    expect(d.labels.length).toBe(0);
    expect(d.boxes.length).toBe(0);
  });

  it('filters RPN proposals: per-level top-n, clip, NMS within a level only, post-NMS cap', () => {
    // level 0: two near-identical anchors and one apart; level 1: a copy of the first anchor
    const anchors = Float32Array.from([0, 0, 10, 10, 0, 0, 10, 11, 30, 30, 50, 50, 0, 0, 10, 10, 40, 40, 90, 90]);
    const objectness = Float32Array.from([3, 2, 1, 0.5, -1]);
    const out = filterRpnProposals({ anchors, objectness, deltas: new Float32Array(20), numAnchorsPerLevel: [3, 2], imageSize: [64, 64] }, {
      preNmsTopN: 3, postNmsTopN: 10, nmsThresh: 0.7, minSize: 1e-3, scoreThresh: 0, boxWeights: [1, 1, 1, 1],
    });
    // anchor 1 is suppressed by anchor 0 (same level); anchor 3 survives (other level); anchor 4 is clipped
    expect(Array.from(out.scores)).toEqual(Array.from(Float32Array.from([3, 1, 0.5, -1], (x) => 1 / (1 + Math.exp(-x)))));
    expect(Array.from(out.boxes.subarray(12))).toEqual([40, 40, 64, 64]);
    const capped = filterRpnProposals({ anchors, objectness, deltas: new Float32Array(20), numAnchorsPerLevel: [3, 2], imageSize: [64, 64] }, {
      preNmsTopN: 1, postNmsTopN: 1, nmsThresh: 0.7, minSize: 1e-3, scoreThresh: 0, boxWeights: [1, 1, 1, 1],
    });
    expect(capped.scores.length).toBe(1);
    expect(boxIou(capped.boxes, anchors.subarray(0, 4))[0]).toBe(1);
  });
});
