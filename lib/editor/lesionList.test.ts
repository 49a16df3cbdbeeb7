import { describe, expect, it } from 'vitest';
import type { EditorPolygon } from './document';
import { formatArea, lesionRows, pixelSpacingOf } from './lesionList';

const withHole: EditorPolygon = { key: 'a', lesionClass: 'C', points: [[0, 0], [20, 0], [20, 20], [0, 20]], holes: [[[5, 5], [15, 5], [15, 15], [5, 15]]], source: 'HUMAN' };

describe('lesion list', () => {
  it('gives each polygon its number, class and area less its holes, in mm² when the spacing is known', () => {
    expect(lesionRows([withHole], null)).toEqual([{ key: 'a', number: 1, lesionClass: 'C', areaPx: 300, areaMm2: null }]);
    expect(lesionRows([withHole], [0.7, 0.5])[0].areaMm2).toBeCloseTo(105);
    expect(formatArea({ areaPx: 300, areaMm2: null })).toBe('300 px²');
    expect(formatArea({ areaPx: 300, areaMm2: 12.345 })).toBe('12.3 mm²');
  });

  it('reads the pixel spacing from a study’s import metadata, null when absent or unusable', () => {
    expect(pixelSpacingOf({ format: 'dicom', pixelSpacing: [0.68, 0.68] })).toEqual([0.68, 0.68]);
    expect(pixelSpacingOf({ format: 'image' })).toBeNull();
    expect(pixelSpacingOf({ pixelSpacing: [0, 1] })).toBeNull();
    expect(pixelSpacingOf(null)).toBeNull();
  });
});
