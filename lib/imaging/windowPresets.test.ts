import { describe, expect, it } from 'vitest';
import { applyWindow, windowPresetsFor } from './window';

describe('window presets by pixel kind', () => {
  it('CT slices get the lung and mediastinal HU windows', () => {
    expect(windowPresetsFor('HU').map((p) => [p.label, p.win])).toEqual([['Lung', { width: 1500, level: -600 }], ['Mediastinal', { width: 350, level: 50 }]]);
  });

  it('8-bit slices get windows in display values: the image as stored and a contrast stretch, never an all-white image', () => {
    const ramp = Uint8Array.from({ length: 256 }, (_, k) => k);
    const [stored, contrast] = windowPresetsFor('WINDOWED');
    expect(Array.from(applyWindow(ramp, stored.win))).toEqual(Array.from(ramp));
    const stretched = applyWindow(ramp, contrast.win);
    expect(stretched[32]).toBeLessThan(20);
    expect(stretched[96]).toBeGreaterThan(120);
    expect(stretched[96]).toBeLessThan(136);
    expect(new Set(stretched).size).toBeGreaterThan(100); // still an image, not a flat field
  });
});
