/**
 * torchvision BoxCoder: box regression targets (encode) and their inverse (decode), in float32 like
 * the reference. Plain typed arrays: the losses compare raw deltas with encoded targets, so neither
 * direction is ever differentiated.
 *
 *   BBOX_XFORM_CLIP = ln(1000/16)            — torchvision's clamp on dw, dh (the weights come from the config)
 *   encodeBoxes(reference: Boxes [N*4], targets: Boxes [N*4], weights): Float32Array [N*4]
 *        [wx·(Gcx−Pcx)/Pw, wy·(Gcy−Pcy)/Ph, ww·ln(Gw/Pw), wh·ln(Gh/Ph)] of target i against reference i
 *   decodeBoxes(codes: [N*4K], reference: Boxes [N*4], weights, clip?): Boxes [N*K*4]
 *        class k uses codes 4k..4k+3; dw, dh are clamped from above only, after dividing by the weight;
 *        the result is not clipped to the image (boxOps.clipBoxesToImage does that)
 */
import type { Boxes } from './boxOps';

export type BoxWeights = readonly [number, number, number, number];

/** Keeps exp(dw) finite for wild early predictions (torchvision's bbox_xform_clip). */
export const BBOX_XFORM_CLIP = Math.log(1000 / 16);

const f = Math.fround;

export function encodeBoxes(reference: Boxes, targets: Boxes, weights: BoxWeights): Float32Array {
  if (reference.length !== targets.length)
    throw new Error(`encodeBoxes: ${reference.length / 4} reference boxes but ${targets.length / 4} targets`);
  const [wx, wy, ww, wh] = weights.map(f);
  const out = new Float32Array(reference.length);
  for (let i = 0; i < reference.length; i += 4) {
    const pw = f(reference[i + 2] - reference[i]);
    const ph = f(reference[i + 3] - reference[i + 1]);
    const pcx = f(reference[i] + f(0.5 * pw));
    const pcy = f(reference[i + 1] + f(0.5 * ph));
    const gw = f(targets[i + 2] - targets[i]);
    const gh = f(targets[i + 3] - targets[i + 1]);
    const gcx = f(targets[i] + f(0.5 * gw));
    const gcy = f(targets[i + 1] + f(0.5 * gh));
    out[i] = f(wx * f(gcx - pcx)) / pw;
    out[i + 1] = f(wy * f(gcy - pcy)) / ph;
    out[i + 2] = ww * Math.log(f(gw / pw));
    out[i + 3] = wh * Math.log(f(gh / ph));
  }
  return out;
}

export function decodeBoxes(
  codes: Float32Array,
  reference: Boxes,
  weights: BoxWeights,
  clip: number = BBOX_XFORM_CLIP,
): Boxes {
  const n = reference.length / 4;
  if (n === 0) return new Float32Array(0);
  const k = codes.length / (4 * n);
  if (!Number.isInteger(k) || k < 1)
    throw new Error(`decodeBoxes: codes hold ${codes.length} numbers, not 4·K per each of the ${n} reference boxes`);
  const [wx, wy, ww, wh] = weights.map(f);
  const maxLog = f(clip);
  const out = new Float32Array(n * k * 4);
  for (let i = 0; i < n; i++) {
    const w = f(reference[4 * i + 2] - reference[4 * i]);
    const h = f(reference[4 * i + 3] - reference[4 * i + 1]);
    const cx = f(reference[4 * i] + f(0.5 * w));
    const cy = f(reference[4 * i + 1] + f(0.5 * h));
    for (let c = 0; c < k; c++) {
      const o = 4 * (i * k + c);
      const dx = f(codes[o] / wx);
      const dy = f(codes[o + 1] / wy);
      const dw = Math.min(f(codes[o + 2] / ww), maxLog);
      const dh = Math.min(f(codes[o + 3] / wh), maxLog);
      const pcx = f(f(dx * w) + cx);
      const pcy = f(f(dy * h) + cy);
      const halfW = f(0.5 * f(f(Math.exp(dw)) * w));
      const halfH = f(0.5 * f(f(Math.exp(dh)) * h));
      out[o] = pcx - halfW;
      out[o + 1] = pcy - halfH;
      out[o + 2] = pcx + halfW;
      out[o + 3] = pcy + halfH;
    }
  }
  return out;
}
