/**
 * ResNet trunks (He et al. 2016) with GroupNorm in place of BatchNorm: `tiny` (narrow, 3×3 stem, no
 * max-pool), `resnet18` (BasicBlock) and `resnet50` (Bottleneck), truncated after the last configured
 * stage. Returns every stage's output so the FPN can pick its levels.
 */
import * as tf from '@tensorflow/tfjs';
import type { SegmenterConfig } from '../config';
import { conv2d, groupNorm, type ParamStore } from '../layers';

type BackboneConfig = SegmenterConfig['backbone'];
type Block = (x: tf.Tensor4D) => tf.Tensor4D;

function convNorm(ps: ParamStore, name: string, cin: number, cout: number, k: number, stride: number, groups: number) {
  const conv = conv2d(ps, name, { cin, cout, k, stride });
  const norm = groupNorm(ps, name, cout, groups);
  return (x: tf.Tensor4D, relu: boolean) => {
    const y = norm(conv(x));
    return relu ? (tf.relu(y) as tf.Tensor4D) : y;
  };
}

function basicBlock(ps: ParamStore, name: string, cin: number, cout: number, stride: number, groups: number): Block {
  const c1 = convNorm(ps, `${name}.conv1`, cin, cout, 3, stride, groups);
  const c2 = convNorm(ps, `${name}.conv2`, cout, cout, 3, 1, groups);
  const down = stride !== 1 || cin !== cout ? convNorm(ps, `${name}.downsample`, cin, cout, 1, stride, groups) : null;
  return (x) => tf.tidy(() => tf.relu(tf.add(c2(c1(x, true), false), down ? down(x, false) : x)) as tf.Tensor4D);
}

function bottleneck(ps: ParamStore, name: string, cin: number, cout: number, stride: number, groups: number): Block {
  const mid = cout / 4;
  const c1 = convNorm(ps, `${name}.conv1`, cin, mid, 1, 1, groups);
  const c2 = convNorm(ps, `${name}.conv2`, mid, mid, 3, stride, groups);
  const c3 = convNorm(ps, `${name}.conv3`, mid, cout, 1, 1, groups);
  const down = stride !== 1 || cin !== cout ? convNorm(ps, `${name}.downsample`, cin, cout, 1, stride, groups) : null;
  return (x) => tf.tidy(() => tf.relu(tf.add(c3(c2(c1(x, true), true), false), down ? down(x, false) : x)) as tf.Tensor4D);
}

export interface Trunk {
  /** One output per stage, fine to coarse. */
  forward(x: tf.Tensor4D): tf.Tensor4D[];
  /** Cumulative stride of each stage output. */
  strides: number[];
  channels: number[];
}

export function createResNet(ps: ParamStore, cfg: BackboneConfig, prefix = 'backbone.body'): Trunk {
  const g = cfg.normGroups;
  const tiny = cfg.kind === 'tiny';
  // torchvision stem: 7×7/2 conv + 3×3/2 max-pool; tiny keeps resolution (3×3/2 conv only).
  const stem = convNorm(ps, `${prefix}.stem`, 3, cfg.stemChannels, tiny ? 3 : 7, 2, g);
  const stemStride = tiny ? 2 : 4;
  const makeBlock = cfg.kind === 'resnet50' ? bottleneck : basicBlock;
  const stages: Block[][] = [];
  const strides: number[] = [];
  let cin = cfg.stemChannels;
  let stride = stemStride;
  cfg.stageChannels.forEach((cout, s) => {
    const blocks: Block[] = [];
    for (let b = 0; b < cfg.stageBlocks[s]; b++) {
      const st = b === 0 ? cfg.stageStrides[s] : 1;
      blocks.push(makeBlock(ps, `${prefix}.layer${s + 1}.${b}`, cin, cout, st, g));
      cin = cout;
    }
    stride *= cfg.stageStrides[s];
    strides.push(stride);
    stages.push(blocks);
  });
  return {
    strides,
    channels: cfg.stageChannels,
    forward(x) {
      let y = stem(x, true);
      if (!tiny) y = tf.maxPool(y, 3, 2, 'same');
      const outs: tf.Tensor4D[] = [];
      for (const blocks of stages) {
        for (const block of blocks) y = block(y);
        outs.push(y);
      }
      return outs;
    },
  };
}
