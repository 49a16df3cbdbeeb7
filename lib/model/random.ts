/**
 * Seeded pseudo-random numbers (mulberry32): weight initialisation, sampling and augmentation all
 * draw from one of these so that the same seed gives the same training run.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Current internal state, for checkpoints (the generator's word and the normal() spare it holds). */
  state(): RngState;
}

export interface RngState {
  s: number;
  /** The second Box–Muller draw, returned by the next normal(): lost, a resumed run would drift from an uninterrupted one. */
  spare: number | null;
}

/** A generator for `seed`, or one continuing from a checkpointed state (a bare number: the word alone). */
export function createRng(seed: number, state?: RngState | number): Rng {
  const restored = typeof state === 'number' ? { s: state, spare: null } : state;
  let s = (restored?.s ?? (seed ^ 0x9e3779b9)) >>> 0;
  let spare: number | null = restored?.spare ?? null;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    normal() {
      if (spare !== null) { const v = spare; spare = null; return v; }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    int(n: number) { return Math.floor(next() * n); },
    state() { return { s, spare }; },
  };
}

/** Fisher–Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
