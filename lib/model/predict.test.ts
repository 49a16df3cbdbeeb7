import { beforeAll, describe, expect, it } from 'vitest';
import { CovidCtMaskNet, classUncertainty } from './classifierS';
import { defaultClassifierConfig, makeSegmenterConfig } from './config';
import { MaskRcnn } from './maskRcnn';
import { detectionUncertainty, predict } from './predict';
import { useTestBackend } from './train/testBackend';

const cfg = makeSegmenterConfig('tiny', 'both', { transform: { minSize: 128, maxSize: 256 } });

function slice(h = 150, w = 120) {
  const pixels = new Float32Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) pixels[y * w + x] = ((x * 7 + y * 13) % 50) / 50;
  return { height: h, width: w, pixels };
}

describe('predict', () => {
  beforeAll(async () => { await useTestBackend(); });

  it('returns instances in original-image coordinates, a label map, polygons and uncertainties', () => {
    // untrained: every class scores about 1/3, above the 0.05 threshold, so detections exist
    const model = new MaskRcnn(cfg, 4);
    const s = slice();
    const p = predict(model, s);
    expect(p.width).toBe(120);
    expect(p.height).toBe(150);
    expect(p.instances.length).toBeGreaterThan(0);
    let painted = 0;
    for (const v of p.labelMap) if (v) painted++;
    for (const inst of p.instances) {
      expect(['GGO', 'C']).toContain(inst.class);
      expect(inst.box[0]).toBeGreaterThanOrEqual(0);
      expect(inst.box[2]).toBeLessThanOrEqual(120);
      expect(inst.box[3]).toBeLessThanOrEqual(150);
      expect(inst.uncertainty).toBeGreaterThanOrEqual(0);
      expect(inst.uncertainty).toBeLessThanOrEqual(1);
      if (inst.area > 20) expect(inst.polygon.length).toBeGreaterThan(0);
      for (const poly of inst.polygon) for (const [x, y] of poly.points) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThanOrEqual(150);
      }
    }
    // the label map is the union of the instances' masks
    const maxArea = Math.max(...p.instances.map((i) => i.area));
    expect(painted).toBeGreaterThanOrEqual(maxArea);
    expect(p.uncertainty.detection).toBeGreaterThan(0);
    expect(p.sliceProbabilities).toBeUndefined();
    model.dispose();
  });

  it('adds S probabilities and least-confidence / margin / entropy with a classifier', () => {
    const clsCfg = { ...defaultClassifierConfig(cfg, ['COVID', 'non-COVID']), rankedN: 16, hiddenUnits: 32 };
    const cls = new CovidCtMaskNet(clsCfg, 2);
    const p = predict(cls.segmenter, slice(), cls);
    expect(Object.keys(p.sliceProbabilities!)).toEqual(['COVID', 'non-COVID']);
    for (const v of Object.values(p.sliceProbabilities!)) expect(v).toBeGreaterThan(0);
    expect(p.uncertainty.entropy).toBeGreaterThan(0);
    cls.dispose();
  });

  it('uncertainty signals follow their definitions', () => {
    expect(classUncertainty([0.5, 0.5])).toEqual({ leastConfidence: 0.5, margin: 1, entropy: 1 });
    const sure = classUncertainty([1, 0]);
    expect(sure.leastConfidence).toBe(0);
    expect(sure.margin).toBe(0);
    expect(sure.entropy).toBeCloseTo(0);
    expect(detectionUncertainty(0.5, [0.5, 0.5])).toBeCloseTo(1);
    expect(detectionUncertainty(1, [0, 1])).toBe(0);
    expect(detectionUncertainty(0.9, [0.99])).toBeLessThan(detectionUncertainty(0.6, [0.7]));
  });
});
