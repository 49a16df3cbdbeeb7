import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exists, sharedDataDir } from '@/lib/testing/paths';
import { createRng } from '../random';
import { affineAboutCentre, augment, DEFAULT_AUGMENT, FLIPS_ONLY, flipHorizontal } from './augment';
import { fileNumber, openClassificationDataset, openSegmentationDataset } from './datasets';
import { instancesFromLabelMap, labelsForMaskType, unknownLesionLabel } from './instances';

const data = sharedDataDir();
const noData = !exists(path.join(data, 'medseg-ggo-c'));

describe.skipIf(noData)(`fixed splits of the shared data${noData ? ` (skipped: ${data} not found)` : ''}`, () => {
  it('MedSeg: 40 train / 10 val by file number', () => {
    const ds = openSegmentationDataset(path.join(data, 'medseg-ggo-c'));
    expect(ds.train).toHaveLength(40);
    expect(ds.val).toHaveLength(10);
    const maxTrain = Math.max(...ds.train.map((r) => Number(r.id)));
    expect(Math.min(...ds.val.map((r) => Number(r.id)))).toBeGreaterThan(maxTrain);
  });

  it('Zenodo: 0000–0599 train, 0600–0788 val', () => {
    const ds = openSegmentationDataset(path.join(data, 'zenodo-lesion-256'));
    expect(ds.format).toBe('ct-lesion');
    expect([ds.train.length, ds.val.length]).toEqual([600, 189]);
    expect(ds.train.at(-1)!.id).toBe('0599');
    expect(ds.val[0].id).toBe('0600');
  });

  it('covid-ct-slices: 70 / 30 per class by file number', () => {
    const ds = openClassificationDataset(path.join(data, 'covid-ct-slices'), ['COVID', 'non-COVID']);
    const count = (refs: typeof ds.train, label: number) => refs.filter((r) => r.label === label).length;
    expect([count(ds.train, 0), count(ds.val, 0)]).toEqual([293, 125]);
    expect([count(ds.train, 1), count(ds.val, 1)]).toEqual([286, 123]);
    expect(fileNumber('Covid (12).png')).toBe(12);
    expect(() => openClassificationDataset(path.join(data, 'covid-ct-slices'), ['COVID', 'CP'])).toThrow(/CP not found/);
  });
});

describe('labels, instances and augmentation', () => {
  const labels = Uint8Array.from([0, 1, 1, 0, 2, 2, 0, 0, 1]);
  it('maps label maps to the mask type', () => {
    expect(Array.from(labelsForMaskType(labels, 'classes', 'merge'))).toEqual([0, 1, 1, 0, 1, 1, 0, 0, 1]);
    expect(Array.from(labelsForMaskType(labels, 'classes', 'ggo'))).toEqual([0, 1, 1, 0, 0, 0, 0, 0, 1]);
    expect(() => labelsForMaskType(labels, 'merged', 'ggo')).toThrow(/mask type "merge" or "both"/);
    // merged lesions in a GGO/C model: label 3, "a lesion of unknown class"
    expect(Array.from(labelsForMaskType(Uint8Array.from([0, 1, 1, 0]), 'merged', 'both'))).toEqual([0, 3, 3, 0]);
    expect(unknownLesionLabel(2)).toBe(3);
  });

  it('splits classes into 8-connected components and drops small ones', () => {
    // rows 0 1 1 / 0 2 2 / 0 0 1: GGO {(x1,y0),(x2,y0)} and {(x2,y2)} are two components (not 8-adjacent),
    // C {(x1,y1),(x2,y1)} one; in scan order: GGO, C, GGO
    const inst = instancesFromLabelMap(labels, 3, 3, 2, 1);
    expect(Array.from(inst.labels)).toEqual([1, 2, 1]);
    expect(Array.from(inst.boxes)).toEqual([1, 0, 3, 1, 1, 1, 3, 2, 2, 2, 3, 3]);
    expect(instancesFromLabelMap(labels, 3, 3, 2, 2).labels.length).toBe(2);
  });

  it('augments deterministically for a seed, flipping image and labels together', () => {
    const img = { height: 3, width: 3, pixels: Float32Array.from(labels, (v) => v / 2) };
    const a = augment(img, labels, createRng(9), FLIPS_ONLY);
    const b = augment(img, labels, createRng(9), FLIPS_ONLY);
    expect(a).toEqual(b);
    // the labels still sit under the same (jittered) pixels: equal labels ⇒ equal intensities
    const byLabel = new Map<number, number>();
    a.labels.forEach((l, i) => { if (byLabel.has(l)) expect(a.image.pixels[i]).toBeCloseTo(byLabel.get(l)!); else byLabel.set(l, a.image.pixels[i]); });
    expect(Array.from(flipHorizontal(labels, 3, 3))).toEqual([1, 1, 0, 2, 2, 0, 1, 0, 0]);
  });

  it('rotates and scales image and labels together about the centre', () => {
    // a 5×5 slice with one bright labelled pixel right of the centre
    const px = new Float32Array(25), lb = new Uint8Array(25);
    px[2 * 5 + 3] = 1; lb[2 * 5 + 3] = 2;
    const same = affineAboutCentre({ height: 5, width: 5, pixels: px }, lb, 0, 1);
    expect(Array.from(same.labels)).toEqual(Array.from(lb));
    expect(Array.from(same.image.pixels)).toEqual(Array.from(px));
    // 90° (y down, so the pixel right of the centre moves below it)
    const turned = affineAboutCentre({ height: 5, width: 5, pixels: px }, lb, Math.PI / 2, 1);
    expect(turned.labels[3 * 5 + 2]).toBe(2);
    expect(turned.image.pixels[3 * 5 + 2]).toBeCloseTo(1);
    expect(turned.labels.reduce((a, v) => a + v, 0)).toBe(2);
    // scale 2: the pixel one step from the centre lands two steps away; outside the slice is air
    const grown = affineAboutCentre({ height: 5, width: 5, pixels: px }, lb, 0, 2);
    expect(grown.labels[2 * 5 + 4]).toBe(2);
    const shrunk = affineAboutCentre({ height: 5, width: 5, pixels: Float32Array.from({ length: 25 }, () => 1) }, lb, 0, 0.5);
    expect(shrunk.image.pixels[0]).toBe(0);
    expect(shrunk.image.pixels[12]).toBeCloseTo(1);
  });

  it('keeps labels on the pixels they label under the default augmentation', () => {
    // a 40×40 slice: a bright labelled square on dark background; after augmenting, labelled pixels are
    // brighter than unlabelled ones (away from the square's edge, where bilinear sampling blends)
    const h = 40, w = 40;
    const px = new Float32Array(h * w).fill(0.1), lb = new Uint8Array(h * w);
    for (let y = 12; y < 28; y++) for (let x = 8; x < 24; x++) { px[y * w + x] = 0.9; lb[y * w + x] = 1; }
    for (let seed = 1; seed <= 5; seed++) {
      const a = augment({ height: h, width: w, pixels: px }, lb, createRng(seed), DEFAULT_AUGMENT);
      let inside = 0, nIn = 0, outside = 0, nOut = 0;
      a.labels.forEach((l, i) => { if (l) { inside += a.image.pixels[i]; nIn++; } else { outside += a.image.pixels[i]; nOut++; } });
      expect(nIn).toBeGreaterThan(100);
      expect(inside / nIn - outside / nOut).toBeGreaterThan(0.4);
    }
  });
});
