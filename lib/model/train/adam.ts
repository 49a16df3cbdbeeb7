/**
 * Adam (Kingma & Ba 2015) on named tf.Variables with weight decay either decoupled (AdamW, Loshchilov &
 * Hutter 2019: w ← w − lr·wd·w, then the Adam step) or as torch.optim.Adam's L2 term (g ← g + wd·w).
 * Written out rather than using tf.train.adam because tfjs's Adam has no weight decay, and so that the
 * moment estimates can be checkpointed by parameter name.
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamOptions {
  lr: number;
  weightDecay: number;
  weightDecayMode: 'decoupled' | 'l2';
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export interface AdamState {
  step: number;
  m: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
}

export class Adam {
  private step = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(private readonly opts: AdamOptions) {}

  /**
   * Applies one update; `grads` are keyed by parameter name, `vars` maps names to variables. `lr` overrides
   * the configured rate for this step (a schedule's value).
   */
  apply(vars: Map<string, tf.Variable>, grads: Record<string, tf.Tensor>, lr: number = this.opts.lr): void {
    this.step++;
    const { weightDecay: wd, weightDecayMode } = this.opts;
    const b1 = this.opts.beta1 ?? 0.9, b2 = this.opts.beta2 ?? 0.999, eps = this.opts.eps ?? 1e-8;
    const c1 = 1 - b1 ** this.step, c2 = 1 - b2 ** this.step;
    for (const [name, g0] of Object.entries(grads)) {
      const w = vars.get(name);
      if (!w) throw new Error(`Adam: gradient for unknown parameter ${name}`);
      if (!this.m.has(name)) {
        // tf.variable keeps its initial tensor alive unless it is created inside a tidy
        this.m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(w), false)));
        this.v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(w), false)));
      }
      const m = this.m.get(name)!, v = this.v.get(name)!;
      tf.tidy(() => {
        const g = weightDecayMode === 'l2' && wd > 0 ? tf.add(g0, tf.mul(w, wd)) : g0;
        const m1 = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
        const v1 = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
        m.assign(m1);
        v.assign(v1);
        const update = tf.div(tf.mul(m1, lr / c1), tf.add(tf.sqrt(tf.div(v1, c2)), eps));
        const decayed = weightDecayMode === 'decoupled' && wd > 0 ? tf.mul(w, 1 - lr * wd) : w;
        w.assign(tf.sub(decayed, update));
      });
    }
  }

  getState(): AdamState {
    const m: Record<string, Float32Array> = {}, v: Record<string, Float32Array> = {};
    for (const [k, t] of this.m) m[k] = t.dataSync() as Float32Array;
    for (const [k, t] of this.v) v[k] = t.dataSync() as Float32Array;
    return { step: this.step, m, v };
  }

  setState(state: AdamState, vars: Map<string, tf.Variable>): void {
    this.dispose();
    this.step = state.step;
    for (const [k, data] of Object.entries(state.m)) {
      const w = vars.get(k);
      if (!w) throw new Error(`Checkpoint optimizer state names unknown parameter ${k}`);
      this.m.set(k, tf.tidy(() => tf.variable(tf.tensor(data, w.shape), false)));
      this.v.set(k, tf.tidy(() => tf.variable(tf.tensor(state.v[k], w.shape), false)));
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
