/**
 * GroupNorm (Wu & He 2018) as one differentiable op with a hand-derived gradient, for NHWC tensors.
 * Semantics of torch.nn.GroupNorm: per sample and group, biased variance over (h, w, the group's channels).
 *
 * Why not tf.moments + autodiff: on wasm, Mean/Sum transpose non-innermost axes first and the autodiff of
 * the moments graph makes ~25 full-size passes. Here every full-size pass is either a same-shape
 * element-wise op, an element-wise op with a per-(sample, channel) operand, or an average pool (the
 * per-channel mean over h·w: XNNPACK reads NHWC in order, ~25× faster on wasm than a ones-vector matMul,
 * which packs its [h·w, c] operand first). Everything per group is done on tiny [n, g, c/g] tensors.
 * Full-size passes: 5 forward (x², 2 pools, ·scale, +shift; plus the copy tfjs makes of a saved x),
 * 7 backward (dy·x, 2 pools, 4 for dx).
 *
 * Forward (per sample, group of M = h·w·c/g values): μ = E[x], σ² = max(E[x²] − μ², 0), r = (σ² + ε)^−½,
 *   y = γ_c·(x − μ)·r + β_c = x·scale + shift, scale = r·γ_c, shift = β_c − μ·scale.
 * Backward, with m_dy[c] = mean_hw dy and m_dyx[c] = mean_hw dy·x (per sample, channel) and x̂ = (x − μ)·r:
 *   dβ_c = Σ_n h·w·m_dy,   dγ_c = Σ_n Σ_hw dy·x̂ = Σ_n h·w·r·(m_dyx − μ·m_dy).
 *   With g = γ_c·dy (the gradient wrt x̂), the usual normalisation gradient
 *     dx = r·(g − mean_M(g) − x̂·mean_M(g·x̂)),
 *   where mean_M(g) = mean_{c∈group} γ_c·m_dy =: a and mean_M(g·x̂) = mean_{c∈group} γ_c·r·(m_dyx − μ·m_dy) =: b,
 *   expands to dx = A·dy + B·x + C with A = r·γ_c (= scale), B = −r²·b, C = r·(r·b·μ − a).
 * σ² through E[x²] − μ² is the same function as the centred variance, so the gradient is that of the exact
 * formula; the clamp only guards float round-off (a constant group), where it is treated as inactive.
 */
import * as tf from '@tensorflow/tfjs';

export const GROUP_NORM_EPSILON = 1e-5;

/**
 * Mean over h and w for every (sample, channel): [n, h, w, c] → [n, c], as average pools: row means, then
 * their mean. The pool sums sequentially in float32; two short sums instead of one of h·w terms keep
 * E[x²] − μ² accurate (stem map, mean/std 10: output error 2e-4 instead of 3e-3 with one pool).
 */
function spatialMeans(t: tf.Tensor4D): tf.Tensor2D {
  const [n, h, w, c] = t.shape;
  const rowMeans = tf.avgPool(t, [1, w], [1, w], 'valid'); // [n, h, 1, c]
  return tf.reshape(tf.avgPool(rowMeans, [h, 1], [h, 1], 'valid'), [n, c]);
}

/** [n, c] per-channel values → [n, g, c/g], so that a group is one row. */
function byGroup(t: tf.Tensor, groups: number): tf.Tensor3D {
  const [n, c] = t.shape;
  return tf.reshape(t, [n, groups, c / groups]);
}

/** [n, g, c/g] → [n, 1, 1, c], the operand of a per-(sample, channel) op on NHWC. */
function perChannel(t: tf.Tensor, n: number, c: number): tf.Tensor4D {
  return tf.reshape(t, [n, 1, 1, c]);
}

/** Per-group [n, g, 1] → per-channel [n, 1, 1, c] (each group's value repeated over its channels). */
function groupToChannels(t: tf.Tensor, n: number, c: number): tf.Tensor4D {
  const groups = t.shape[1] as number;
  return perChannel(tf.broadcastTo(t, [n, groups, c / groups]), n, c);
}

/**
 * y = GroupNorm(x)·γ + β with `groups` groups over the channels of NHWC `x`; γ, β are [c]. Differentiable
 * wrt x, γ and β (custom gradient, see the module comment).
 */
export function groupNormalize(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number, epsilon = GROUP_NORM_EPSILON): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (c % groups !== 0) throw new Error(`groupNormalize: ${c} channels not divisible by ${groups} groups`);
  const op = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, gammaIn, betaIn, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const gammaG = tf.reshape(gammaIn, [1, groups, c / groups]);
    const mean = tf.mean(byGroup(spatialMeans(xIn), groups), 2, true); // [n, g, 1]
    const meanSq = tf.mean(byGroup(spatialMeans(tf.mul(xIn, xIn) as tf.Tensor4D), groups), 2, true);
    const variance = tf.relu(tf.sub(meanSq, tf.square(mean)));
    const rstd = tf.rsqrt(tf.add(variance, epsilon)); // [n, g, 1]
    const scale = tf.mul(rstd, gammaG); // [n, g, c/g]
    const shift = tf.sub(tf.reshape(betaIn, [1, groups, c / groups]), tf.mul(mean, scale));
    save([xIn, gammaIn, mean, rstd]);
    return {
      value: tf.add(tf.mul(xIn, perChannel(scale, n, c)), perChannel(shift, n, c)) as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, gammaS, mu, r] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor3D, tf.Tensor3D];
        const dy4 = dy as tf.Tensor4D;
        const gammaGS = tf.reshape(gammaS, [1, groups, c / groups]);
        const mDy = byGroup(spatialMeans(dy4), groups); // [n, g, c/g]
        const mDyx = byGroup(spatialMeans(tf.mul(dy4, xs) as tf.Tensor4D), groups);
        const mDyXhat = tf.mul(r, tf.sub(mDyx, tf.mul(mu, mDy))); // mean_hw dy·x̂, [n, g, c/g]
        const a = tf.mean(tf.mul(gammaGS, mDy), 2, true); // [n, g, 1]
        const b = tf.mean(tf.mul(gammaGS, mDyXhat), 2, true);
        const coefA = tf.mul(r, gammaGS); // [n, g, c/g]
        const coefB = tf.neg(tf.mul(tf.square(r), b)); // [n, g, 1]
        const coefC = tf.mul(r, tf.sub(tf.mul(tf.mul(r, b), mu), a));
        const dx = tf.add(
          tf.add(tf.mul(dy4, perChannel(coefA, n, c)), tf.mul(xs, groupToChannels(coefB, n, c))),
          groupToChannels(coefC, n, c),
        );
        const hw = h * w;
        const dGamma = tf.reshape(tf.mul(tf.sum(mDyXhat, 0), hw), [c]);
        const dBeta = tf.reshape(tf.mul(tf.sum(mDy, 0), hw), [c]);
        return [dx, dGamma, dBeta];
      },
    };
  }) as Parameters<typeof tf.customGrad>[0]);
  return op(x, gamma, beta) as tf.Tensor4D;
}
