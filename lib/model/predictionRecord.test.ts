import { describe, expect, it } from 'vitest';
import type { SlicePrediction } from './predict';
import { sliceRecord } from './predictionRecord';

const outer: [number, number][] = [[2, 2], [12, 2], [12, 10], [2, 10]];
const hole: [number, number][] = [[5, 5], [7, 5], [7, 7], [5, 7]];
const second: [number, number][] = [[20, 20], [24, 20], [24, 24]];

const prediction: SlicePrediction = {
  width: 32,
  height: 24,
  labelMap: new Uint8Array(32 * 24),
  scoreMap: new Float32Array(32 * 24),
  instances: [
    { class: 'GGO', label: 1, score: 0.912345678, box: [1.234, 2.345, 12.999, 10.001], area: 76, uncertainty: 0.3, mask: new Uint8Array(4), polygon: [{ points: outer, holes: [hole] }, { points: second, holes: [] }] },
    { class: 'C', label: 2, score: 0.25, box: [20, 20, 25, 25], area: 9, uncertainty: 0.8, polygon: [] },
  ],
  sliceProbabilities: { COVID: 0.7000001, 'non-COVID': 0.3 },
  uncertainty: { detection: 0.41234567, detectionMax: 0.8, leastConfidence: 0.3, margin: 0.4, entropy: 0.88 },
};

describe('sliceRecord', () => {
  it('keeps class, score, box, area and rings (outer first, then holes) per region, and drops masks and labels', () => {
    const r = sliceRecord('scans/7.png', prediction);
    expect(r).toEqual({
      file: 'scans/7.png',
      width: 32,
      height: 24,
      instances: [
        { class: 'GGO', score: 0.912346, box: [1.23, 2.35, 13, 10], area: 76, polygons: [[outer, hole], [second]] },
        { class: 'C', score: 0.25, box: [20, 20, 25, 25], area: 9, polygons: [] },
      ],
      sliceProbabilities: { COVID: 0.7, 'non-COVID': 0.3 },
      uncertainty: { detection: 0.412346, detectionMax: 0.8, leastConfidence: 0.3, margin: 0.4, entropy: 0.88 },
    });
    // what is written reads back the same
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('writes null slice probabilities without a classifier and no missing uncertainty signals', () => {
    const r = sliceRecord('a.png', { ...prediction, instances: [], sliceProbabilities: undefined, uncertainty: { detection: 0, detectionMax: 0, entropy: undefined } });
    expect(r.sliceProbabilities).toBeNull();
    expect(r.instances).toEqual([]);
    expect(r.uncertainty).toEqual({ detection: 0, detectionMax: 0 });
  });
});
