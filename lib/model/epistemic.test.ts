import { describe, expect, it } from 'vitest';
import { makeSegmenterConfig } from './config';
import { epistemicUncertainty, maskDisagreement, TTA_PASSES } from './epistemic';
import { MaskRcnn } from './maskRcnn';
import { useTestBackend } from './train/testBackend';

const W = 32, H = 24;
const disc = (cx: number, cy: number, r: number, label = 1) => {
  const m = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) m[y * W + x] = label;
  return m;
};

describe('maskDisagreement', () => {
  it('is 0 for identical masks and for passes that all see nothing, 1 for disjoint masks', () => {
    const a = disc(10, 12, 4);
    expect(maskDisagreement([a, a, a], 1)).toBe(0);
    expect(maskDisagreement([new Uint8Array(W * H), new Uint8Array(W * H)], 1)).toBe(0);
    expect(maskDisagreement([disc(6, 6, 3), disc(24, 16, 3)], 1)).toBe(1);
    // one pass sees the lesion, one does not: Dice 0 for that pair
    expect(maskDisagreement([a, new Uint8Array(W * H)], 1)).toBe(1);
  });
  it('counts only the label asked about, and grows as the masks drift apart', () => {
    const ggo = disc(10, 12, 5, 1);
    expect(maskDisagreement([ggo, ggo], 2)).toBe(0);
    const near = maskDisagreement([disc(10, 12, 5), disc(11, 12, 5)], 1);
    const far = maskDisagreement([disc(10, 12, 5), disc(14, 12, 5)], 1);
    expect(near).toBeGreaterThan(0);
    expect(far).toBeGreaterThan(near);
  });
});

describe('test-time-augmentation passes', () => {
  it('bring a label map made on the changed slice back onto the slice', () => {
    const labels = disc(16, 12, 6);
    const slice = { height: H, width: W, pixels: Float32Array.from(labels) };
    for (const p of TTA_PASSES) {
      // a "model" that sees the lesion exactly: threshold the transformed slice
      const seen = Uint8Array.from(p.forward(slice).pixels, (v) => (v > 0.5 ? 1 : 0));
      const back = p.back(seen, H, W);
      expect(maskDisagreement([labels, back], 1), p.name).toBeLessThan(0.12);
    }
  });
  it('epistemicUncertainty reports every class of the model in [0, 1]', async () => {
    await useTestBackend();
    const model = new MaskRcnn(makeSegmenterConfig('tiny', 'both', { transform: { minSize: 64, maxSize: 64 } }), 3);
    try {
      const pixels = new Float32Array(64 * 64).map((_, i) => ((i * 7) % 50) / 50);
      const e = await epistemicUncertainty(model, { height: 64, width: 64, pixels });
      expect(Object.keys(e.byClass)).toEqual(['GGO', 'C']);
      for (const v of [...Object.values(e.byClass), e.mean]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    } finally {
      model.dispose();
    }
  });
});
