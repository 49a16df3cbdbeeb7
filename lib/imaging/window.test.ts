import { describe, expect, it } from 'vitest';
import { applyWindow, IDENTITY_WINDOW_8BIT, parseWindow, WINDOW_PRESETS, windowValue } from './window';

describe('parseWindow', () => {
  it('knows the lung and mediastinal presets (case-insensitive)', () => {
    expect(parseWindow('lung')).toEqual({ width: 1500, level: -600 });
    expect(parseWindow(' Mediastinal ')).toEqual({ width: 350, level: 50 });
  });

  it('parses <width>,<level> with signs, decimals and spaces', () => {
    expect(parseWindow('400,40')).toEqual({ width: 400, level: 40 });
    expect(parseWindow('1500, -600')).toEqual({ width: 1500, level: -600 });
    expect(parseWindow('2.5,+0.5')).toEqual({ width: 2.5, level: 0.5 });
  });

  it('returns a copy, so callers cannot change the presets', () => {
    const w = parseWindow('lung');
    w.width = 1;
    expect(WINDOW_PRESETS.lung.width).toBe(1500);
  });

  it.each(['', 'bone', '1500', '1500,', ',-600', 'a,b', '1500;-600', '1500,-600,1'])(
    'rejects %j with a message naming the accepted forms',
    (bad) => {
      expect(() => parseWindow(bad)).toThrow(/lung, mediastinal or <width>,<level>/);
    },
  );

  it('rejects a width below 1', () => {
    expect(() => parseWindow('0,50')).toThrow(/width must be ≥ 1/);
    expect(() => parseWindow('0.5,50')).toThrow(/width must be ≥ 1/);
  });
});

describe('windowValue (DICOM PS3.3 C.11.2.1.2.1 linear VOI)', () => {
  it('maps the lung window ends and centre as the standard formula says', () => {
    const lung = WINDOW_PRESETS.lung; // c − 0.5 ± (w − 1)/2 = −600.5 ± 749.5 → (−1350, −600.5 ... 149]
    expect(windowValue(-1350, lung)).toBe(0); // x ≤ lower bound → ymin
    expect(windowValue(-1349, lung)).toBe(0); // ((−1349 + 600.5)/1499 + 0.5)·255 = 0.17 → 0
    expect(windowValue(-1346, lung)).toBe(1); // 0.68 → 1
    expect(windowValue(149, lung)).toBe(255);
    expect(windowValue(150, lung)).toBe(255); // x > upper bound → ymax
    expect(windowValue(-600, lung)).toBe(128); // 127.585 → 128
    expect(windowValue(-1000, lung)).toBe(Math.round(((-1000 + 600.5) / 1499 + 0.5) * 255));
  });

  it('maps the mediastinal window', () => {
    const m = WINDOW_PRESETS.mediastinal; // bounds −125, 224
    expect(windowValue(-125, m)).toBe(0);
    expect(windowValue(-124, m)).toBe(1); // 0.73 → 1
    expect(windowValue(225, m)).toBe(255);
    expect(windowValue(40, m)).toBe(Math.round(((40 - 49.5) / 349 + 0.5) * 255));
  });

  it('is monotone non-decreasing over the HU range', () => {
    let prev = -1;
    for (let hu = -2000; hu <= 3000; hu++) {
      const y = windowValue(hu, { width: 700, level: -100 });
      expect(y).toBeGreaterThanOrEqual(prev);
      prev = y;
    }
    expect(prev).toBe(255);
  });

  it('treats width 1 as a threshold at c − 0.5', () => {
    expect(windowValue(9, { width: 1, level: 10 })).toBe(0);
    expect(windowValue(9.5, { width: 1, level: 10 })).toBe(0);
    expect(windowValue(10, { width: 1, level: 10 })).toBe(255);
  });

  it('leaves 8-bit values unchanged under the identity window', () => {
    for (let x = 0; x < 256; x++) expect(windowValue(x, IDENTITY_WINDOW_8BIT)).toBe(x);
  });
});

describe('applyWindow', () => {
  it('maps a whole Int16 image like windowValue does per pixel', () => {
    const hu = Int16Array.from([-32768, -1024, -600, 0, 40, 400, 32767]);
    const win = WINDOW_PRESETS.mediastinal;
    const out = applyWindow(hu, win);
    expect(Array.from(out)).toEqual(Array.from(hu, (x) => windowValue(x, win)));
  });

  it('writes into a given output and refuses one of the wrong length', () => {
    const out = new Uint8ClampedArray(3);
    expect(applyWindow(Uint8Array.from([0, 100, 255]), { width: 100, level: 100 }, out)).toBe(out);
    expect(Array.from(out)).toEqual([0, Math.round(((100 - 99.5) / 99 + 0.5) * 255), 255]);
    expect(() => applyWindow(new Uint8Array(4), IDENTITY_WINDOW_8BIT, out)).toThrow(/length/);
  });

  it('refuses an unusable window object', () => {
    expect(() => applyWindow(new Uint8Array(1), { width: 0, level: 0 })).toThrow(/Invalid window/);
    expect(() => applyWindow(new Uint8Array(1), { width: NaN, level: 0 })).toThrow(/Invalid window/);
  });
});
