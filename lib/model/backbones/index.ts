/**
 * Backbone = trunk + FPN; presets `tiny`, `light` (ResNet18 to layer3 + one FPN level) and `full`
 * (ResNet50-FPN). Parameter names start with `backbone.`; normalisation affine parameters contain
 * `.norm.` (the "bn" parameters of classifier S's heads+bn mode).
 */
import * as tf from '@tensorflow/tfjs';
import type { SegmenterConfig } from '../config';
import type { ParamStore } from '../layers';
import { createFpn } from './fpn';
import { createResNet } from './resnet';

export interface Backbone {
  /** Image [1,H,W,3] (H, W multiples of 32) → FPN levels, fine to coarse (RPN uses all). */
  forward(x: tf.Tensor4D): tf.Tensor4D[];
  /** Stride of each returned level. */
  strides: number[];
  /** The first `roiLevels` levels feed RoIAlign (the extra pool level is RPN-only, as torchvision). */
  roiLevels: number;
  outChannels: number;
}

export function createBackbone(ps: ParamStore, cfg: SegmenterConfig['backbone']): Backbone {
  const trunk = createResNet(ps, cfg);
  for (const s of cfg.fpnStages) if (s >= cfg.stageChannels.length) throw new Error(`backbone.fpnStages: no stage ${s}`);
  const fpn = createFpn(ps, cfg.fpnStages.map((s) => trunk.channels[s]), cfg.outChannels);
  const strides = cfg.fpnStages.map((s) => trunk.strides[s]);
  return {
    strides: cfg.fpnExtraPool ? [...strides, 2 * strides[strides.length - 1]] : strides,
    roiLevels: cfg.fpnStages.length,
    outChannels: cfg.outChannels,
    forward(x) {
      const stages = trunk.forward(x);
      const levels = fpn(cfg.fpnStages.map((s) => stages[s]));
      // LastLevelMaxPool: max_pool2d(kernel 1, stride 2) of the coarsest level
      if (cfg.fpnExtraPool) levels.push(tf.maxPool(levels[levels.length - 1], 1, 2, 'valid'));
      return levels;
    },
  };
}

export const isNormParam = (name: string) => name.includes('.norm.');
