import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exists, sharedDataDir } from '@/lib/testing/paths';
import { createRng } from '../random';
import { augment, flipHorizontal } from './augment';
import { fileNumber, openClassificationDataset, openSegmentationDataset } from './datasets';
import { instancesFromLabelMap, labelsForMaskType } from './instances';

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
    expect(() => labelsForMaskType(labels, 'merged', 'both')).toThrow(/mask type "merge"/);
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
    const a = augment(img, labels, createRng(9));
    const b = augment(img, labels, createRng(9));
    expect(a).toEqual(b);
    // the labels still sit under the same (jittered) pixels: equal labels ⇒ equal intensities
    const byLabel = new Map<number, number>();
    a.labels.forEach((l, i) => { if (byLabel.has(l)) expect(a.image.pixels[i]).toBeCloseTo(byLabel.get(l)!); else byLabel.set(l, a.image.pixels[i]); });
    expect(Array.from(flipHorizontal(labels, 3, 3))).toEqual([1, 1, 0, 2, 2, 0, 1, 0, 0]);
  });
});
