/**
 * Parameters as plain tf.Variables in one named store, and the few layer types the model uses as
 * explicit forward functions (NHWC, batch-first). Plain variables keep the training loop in control:
 * which variables train, how they are saved, and what is frozen are all decided by name.
 */
import * as tf from '@tensorflow/tfjs';
import { groupNormalize } from './groupNorm';
import { createRng, type Rng } from './random';

export type Init = { kind: 'normal'; std: number } | { kind: 'uniform'; limit: number } | { kind: 'zeros' } | { kind: 'ones' };

export class ParamStore {
  private readonly vars = new Map<string, tf.Variable>();
  readonly rng: Rng;

  constructor(seed: number) {
    this.rng = createRng(seed);
  }

  /** Creates a variable with a seeded initial value (backend-independent, reproducible). */
  add(name: string, shape: number[], init: Init): tf.Variable {
    if (this.vars.has(name)) throw new Error(`Parameter ${name} defined twice`);
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (init.kind === 'normal') for (let i = 0; i < size; i++) data[i] = this.rng.normal() * init.std;
    else if (init.kind === 'uniform') for (let i = 0; i < size; i++) data[i] = (this.rng.next() * 2 - 1) * init.limit;
    else if (init.kind === 'ones') data.fill(1);
    const v = tf.tidy(() => tf.variable(tf.tensor(data, shape, 'float32'), true, `${name}_${uid++}`));
    this.vars.set(name, v);
    return v;
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`Unknown parameter ${name}`);
    return v;
  }

  has(name: string): boolean {
    return this.vars.has(name);
  }

  /** Names in definition order (stable: the save order of the weights file). */
  names(): string[] {
    return [...this.vars.keys()];
  }

  /** Variables whose name satisfies `filter` (all by default). */
  variables(filter: (name: string) => boolean = () => true): tf.Variable[] {
    return [...this.vars.entries()].filter(([n]) => filter(n)).map(([, v]) => v);
  }

  numParameters(filter?: (name: string) => boolean): number {
    return this.variables(filter).reduce((a, v) => a + v.size, 0);
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
let uid = 0;

type Act = 'linear' | 'relu';

export interface ConvOptions {
  cin: number;
  cout: number;
  k: number;
  stride?: number;
  bias?: boolean;
  /** He (fan-in) by default; heads pass their torchvision std. */
  init?: Init;
}

/** k×k convolution, 'same' padding, optional bias, fused with an activation. */
export function conv2d(ps: ParamStore, name: string, o: ConvOptions): (x: tf.Tensor4D, act?: Act) => tf.Tensor4D {
  const w = ps.add(`${name}.weight`, [o.k, o.k, o.cin, o.cout], o.init ?? { kind: 'normal', std: Math.sqrt(2 / (o.k * o.k * o.cin)) });
  const b = o.bias ? ps.add(`${name}.bias`, [o.cout], { kind: 'zeros' }) : undefined;
  const stride = o.stride ?? 1;
  return (x, act = 'linear') =>
    // A bare convolution stays tf.conv2d: its gradient computes dx only when x needs one, where the fused
    // op's always does (wasted on the stem, whose input is the image: 0.2–0.3 s per `light` step at 512 px).
    b == null && act === 'linear'
      ? tf.conv2d(x, w as tf.Tensor4D, stride, 'same')
      : (tf.fused.conv2d({ x, filter: w as tf.Tensor4D, strides: stride, pad: 'same', bias: b, activation: act }) as tf.Tensor4D);
}

/** GroupNorm (Wu & He 2018): normalisation whose statistics do not depend on the batch size. */
export function groupNorm(ps: ParamStore, name: string, channels: number, groups: number): (x: tf.Tensor4D) => tf.Tensor4D {
  const g = Math.min(groups, channels);
  if (channels % g !== 0) throw new Error(`GroupNorm ${name}: ${channels} channels not divisible by ${g} groups`);
  const gamma = ps.add(`${name}.norm.weight`, [channels], { kind: 'ones' });
  const beta = ps.add(`${name}.norm.bias`, [channels], { kind: 'zeros' });
  return (x) => tf.tidy(() => groupNormalize(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, g));
}

/**
 * a·b with a gradient that transposes explicitly: tfjs's MatMul gradient uses the transposeA/B flags,
 * which the wasm backend runs 10–100× slower than a plain product (measured: 110 ms vs 10 ms for the
 * box head's [128,3136]ᵀ·[128,128]).
 */
export const matMul = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as tf.Tensor2D[];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
}) as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** Fully connected layer; torchvision's nn.Linear default init unless given. */
export function linear(ps: ParamStore, name: string, inF: number, outF: number, init?: Init): (x: tf.Tensor2D, act?: Act) => tf.Tensor2D {
  const w = ps.add(`${name}.weight`, [inF, outF], init ?? { kind: 'uniform', limit: 1 / Math.sqrt(inF) });
  const b = ps.add(`${name}.bias`, [outF], init ? { kind: 'zeros' } : { kind: 'uniform', limit: 1 / Math.sqrt(inF) });
  return (x, act = 'linear') => tf.tidy(() => {
    const y = tf.add(matMul(x, w as tf.Tensor2D), b) as tf.Tensor2D;
    return act === 'relu' ? tf.relu(y) : y;
  });
}

/**
 * ConvTranspose2d(kernel 2, stride 2) as a matmul plus depth-to-space: each input pixel writes its own
 * 2×2 output block, so no overlap-add is needed and only matmul/reshape/transpose gradients are used.
 */
export function convTranspose2x2(ps: ParamStore, name: string, cin: number, cout: number): (x: tf.Tensor4D, act?: Act) => tf.Tensor4D {
  const w = ps.add(`${name}.weight`, [cin, 4 * cout], { kind: 'normal', std: Math.sqrt(2 / (4 * cout)) });
  const b = ps.add(`${name}.bias`, [cout], { kind: 'zeros' });
  return (x, act = 'linear') => tf.tidy(() => {
    const [k, h, wd] = x.shape;
    const y = matMul(tf.reshape(x, [k * h * wd, cin]) as tf.Tensor2D, w as tf.Tensor2D);
    const blocks = tf.transpose(tf.reshape(y, [k * h, wd, 2, 2, cout]), [0, 2, 1, 3, 4]);
    const out = tf.add(tf.reshape(blocks, [k, 2 * h, 2 * wd, cout]), b) as tf.Tensor4D;
    return act === 'relu' ? tf.relu(out) : out;
  });
}
