import { describe, expect, it } from 'vitest';
import { maskArea, maskBounds, maskIoU, type BinaryMask } from './mask';

/** A width×height mask from rows of '.'/'#'. */
function drawMask(...rows: string[]): BinaryMask {
  const width = rows[0].length;
  const data = new Uint8Array(width * rows.length);
  rows.forEach((r, y) => [...r].forEach((ch, x) => (data[y * width + x] = ch === '#' ? 1 : 0)));
  return { width, height: rows.length, data };
}

describe('mask area, bounds, IoU', () => {
  const a = drawMask('##..', '##..', '....', '....');
  const b = drawMask('.##.', '.##.', '....', '....');

  it('counts pixels and finds bounds', () => {
    expect(maskArea(a)).toBe(4);
    expect(maskBounds(b)).toEqual({ x0: 1, y0: 0, x1: 2, y1: 1 });
    expect(maskBounds(drawMask('....', '....'))).toBeNull();
  });

  it('IoU of two 2×2 squares sharing a column: 2 / (4 + 4 - 2) = 1/3', () => {
    expect(maskIoU(a, b)).toBeCloseTo(1 / 3, 12);
    expect(maskIoU(a, a)).toBe(1);
  });

  it('disjoint masks and empty masks give 0', () => {
    expect(maskIoU(a, drawMask('....', '....', '..##', '..##'))).toBe(0);
    expect(maskIoU(drawMask('..'), drawMask('..'))).toBe(0);
  });

  it('non-zero bytes count as inside', () => {
    const c = { ...a, data: a.data.map((v) => v * 255) };
    expect(maskIoU(c, a)).toBe(1);
  });

  it('refuses masks of different sizes or inconsistent data', () => {
    expect(() => maskIoU(a, drawMask('##', '##'))).toThrow('masks differ in size: 4×4 vs 2×2');
    expect(() => maskIoU({ width: 3, height: 3, data: new Uint8Array(4) }, a)).toThrow('data holds 4 bytes');
  });
});
