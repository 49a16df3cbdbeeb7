/**
 * Seeded uniform values in [−0.5, 0.5) (a linear congruential generator), so that a failing numeric test
 * reproduces exactly. Not for anything but tests.
 */
export function randoms(size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}
