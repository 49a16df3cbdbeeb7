/**
 * The ResNet trunks of backbones/resnet.ts (tiny, resnet18, resnet50; GroupNorm after every conv) as ONNX
 * nodes. Returns every stage's output, fine to coarse, as the tfjs trunk does.
 */
import type { SegmenterConfig } from '../config';
import type { GraphBuilder } from './graphBuilder';
import { conv, groupNorm, type Weights } from './layers';

type BackboneConfig = SegmenterConfig['backbone'];

function convNorm(g: GraphBuilder, w: Weights, name: string, x: string, stride: number, groups: number, relu: boolean): string {
  const y = groupNorm(g, w, name, conv(g, w, name, x, { stride }), groups);
  return relu ? g.node('Relu', [y]) : y;
}

function block(g: GraphBuilder, w: Weights, cfg: BackboneConfig, name: string, x: string, cin: number, cout: number, stride: number): string {
  const gr = cfg.normGroups;
  const main = cfg.kind === 'resnet50'
    ? convNorm(g, w, `${name}.conv3`, convNorm(g, w, `${name}.conv2`, convNorm(g, w, `${name}.conv1`, x, 1, gr, true), stride, gr, true), 1, gr, false)
    : convNorm(g, w, `${name}.conv2`, convNorm(g, w, `${name}.conv1`, x, stride, gr, true), 1, gr, false);
  const shortcut = stride !== 1 || cin !== cout ? convNorm(g, w, `${name}.downsample`, x, stride, gr, false) : x;
  return g.node('Relu', [g.node('Add', [main, shortcut])]);
}

export function trunk(g: GraphBuilder, w: Weights, cfg: BackboneConfig, image: string, prefix = 'backbone.body'): string[] {
  const tiny = cfg.kind === 'tiny';
  let y = convNorm(g, w, `${prefix}.stem`, image, 2, cfg.normGroups, true);
  // tf.maxPool(3, 2, 'same') pads with −∞ and the odd pixel at the end, as MaxPool's SAME_UPPER
  if (!tiny) y = g.node('MaxPool', [y], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' });
  const outs: string[] = [];
  let cin = cfg.stemChannels;
  cfg.stageChannels.forEach((cout, s) => {
    for (let b = 0; b < cfg.stageBlocks[s]; b++) {
      y = block(g, w, cfg, `${prefix}.layer${s + 1}.${b}`, y, cin, cout, b === 0 ? cfg.stageStrides[s] : 1);
      cin = cout;
    }
    outs.push(y);
  });
  return outs;
}
