"""Runs a CT-Mask Studio segmenter exported with `npm run export -- --format onnx` using onnxruntime and numpy.

    pip install onnxruntime numpy pillow
    python predict_onnx.py model.onnx slice.png [--json out.json]

Prints one line per detection (class, score, box in original-image pixels, mask area at the class's mask
threshold). The steps between the three graphs follow lib/model/detectionFlow.ts (torchvision's Mask R-CNN
inference, batch 1); the settings come from the model.json sidecar. A reference for other runtimes, not the
product's path: `npm run predict -- --model model.onnx` runs the same export in Node.
"""
import argparse
import json
import math
import os

import numpy as np
import onnxruntime as ort
from PIL import Image

f32 = np.float32


def load(onnx_path, providers=('CPUExecutionProvider',)):
    stem = onnx_path[: -len('.onnx')]
    with open(stem + '.json') as fh:
        sidecar = json.load(fh)
    folder = os.path.dirname(os.path.abspath(onnx_path))
    sessions = {g: ort.InferenceSession(os.path.join(folder, spec['file']), providers=list(providers)) for g, spec in sidecar['graphs'].items()}
    return sidecar, sessions


def resize_bilinear(img, out_h, out_w):
    """tf.image.resizeBilinear with half-pixel centres, no antialias (HWC float32)."""
    in_h, in_w = img.shape[:2]

    def axis(n_out, n_in):
        src = (np.arange(n_out, dtype=f32) + f32(0.5)) * f32(n_in / n_out) - f32(0.5)
        lo = np.maximum(np.floor(src), 0).astype(np.int64)
        hi = np.minimum(np.ceil(src), n_in - 1).astype(np.int64)
        return lo, hi, (src - lo).astype(f32)

    y0, y1, fy = axis(out_h, in_h)
    x0, x1, fx = axis(out_w, in_w)
    top = img[y0][:, x0] + (img[y0][:, x1] - img[y0][:, x0]) * fx[None, :, None]
    bottom = img[y1][:, x0] + (img[y1][:, x1] - img[y1][:, x0]) * fx[None, :, None]
    return top + (bottom - top) * fy[:, None, None]


def preprocess(grey, sidecar):
    """grey [H, W] in [0, 1] → NCHW image, resized size (h', w')."""
    p = sidecar['preprocessing']
    h, w = grey.shape
    rgb = np.repeat(grey[:, :, None].astype(f32), 3, axis=2)
    rgb = (rgb - np.array(p['normalisation']['mean'], f32)) / np.array(p['normalisation']['std'], f32)
    scale = min(f32(p['resize']['minSize']) / f32(min(h, w)), f32(p['resize']['maxSize']) / f32(max(h, w)))
    # the scale is float32, the product double (351 × 0.7293 → 255, not 256)
    rh, rw = int(math.floor(h * float(scale))), int(math.floor(w * float(scale)))
    resized = resize_bilinear(rgb, rh, rw)
    d = p['padToMultipleOf']
    ph, pw = -(-rh // d) * d, -(-rw // d) * d
    padded = np.zeros((ph, pw, 3), f32)
    padded[:rh, :rw] = resized
    return padded.transpose(2, 0, 1)[None], (rh, rw)


def round_half_even(x):
    return float(np.round(f32(x)))


def anchors_for(cfg, padded_hw, feature_hws):
    out = []
    for sizes, (fh, fw) in zip(cfg['anchors']['sizes'], feature_hws):
        cell = []
        for ratio in cfg['anchors']['aspectRatios']:
            hr = f32(math.sqrt(f32(ratio)))
            wr = f32(1) / hr
            for s in sizes:
                ws, hs = f32(wr * f32(s)), f32(hr * f32(s))
                cell.append([round_half_even(-ws / 2), round_half_even(-hs / 2), round_half_even(ws / 2), round_half_even(hs / 2)])
        cell = np.array(cell, f32)
        sy, sx = padded_hw[0] // fh, padded_hw[1] // fw
        ys, xs = np.meshgrid(np.arange(fh) * sy, np.arange(fw) * sx, indexing='ij')
        shifts = np.stack([xs, ys, xs, ys], -1).reshape(-1, 1, 4).astype(f32)
        out.append((shifts + cell[None]).reshape(-1, 4))
    return out


def decode(codes, ref, weights):
    wx, wy, ww, wh = [f32(v) for v in weights]
    w, h = ref[:, 2] - ref[:, 0], ref[:, 3] - ref[:, 1]
    cx, cy = ref[:, 0] + f32(0.5) * w, ref[:, 1] + f32(0.5) * h
    codes = codes.reshape(len(ref), -1, 4)
    clip = f32(math.log(1000 / 16))
    dx, dy = codes[..., 0] / wx, codes[..., 1] / wy
    dw, dh = np.minimum(codes[..., 2] / ww, clip), np.minimum(codes[..., 3] / wh, clip)
    pcx, pcy = dx * w[:, None] + cx[:, None], dy * h[:, None] + cy[:, None]
    hw, hh = f32(0.5) * np.exp(dw) * w[:, None], f32(0.5) * np.exp(dh) * h[:, None]
    return np.stack([pcx - hw, pcy - hh, pcx + hw, pcy + hh], -1).astype(f32)


def clip_boxes(b, hw):
    b = b.copy()
    b[..., 0::2] = np.clip(b[..., 0::2], 0, hw[1])
    b[..., 1::2] = np.clip(b[..., 1::2], 0, hw[0])
    return b


def nms(boxes, scores, thresh):
    order = np.argsort(-scores, kind='stable')
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    keep, suppressed = [], np.zeros(len(boxes), bool)
    for a, i in enumerate(order):
        if suppressed[a]:
            continue
        keep.append(i)
        rest = order[a + 1:]
        xx1, yy1 = np.maximum(boxes[i, 0], boxes[rest, 0]), np.maximum(boxes[i, 1], boxes[rest, 1])
        xx2, yy2 = np.minimum(boxes[i, 2], boxes[rest, 2]), np.minimum(boxes[i, 3], boxes[rest, 3])
        inter = np.clip(xx2 - xx1, 0, None) * np.clip(yy2 - yy1, 0, None)
        iou = inter / (areas[i] + areas[rest] - inter)
        suppressed[a + 1:] |= iou > thresh
    return np.array(keep, np.int64)


def batched_nms(boxes, scores, groups, thresh):
    keep = np.concatenate([np.nonzero(groups == g)[0][nms(boxes[groups == g], scores[groups == g], thresh)] for g in np.unique(groups)] or [np.zeros(0, np.int64)])
    return keep[np.argsort(-scores[keep], kind='stable')]


def roi_align(levels, boxes, image_hw, size, sampling):
    """torchvision roi_align (aligned=False) with the FPN level mapper; levels are [h, w, C] arrays."""
    scales = [2.0 ** round(math.log2(l.shape[0] / image_hw[0])) for l in levels]
    k_min, k_max = -math.log2(scales[0]), -math.log2(scales[-1])
    out = np.zeros((len(boxes), size, size, levels[0].shape[2]), f32)
    for r, box in enumerate(boxes):
        lvl = 0
        if len(levels) > 1:
            s = math.sqrt((box[2] - box[0]) * (box[3] - box[1]))
            lvl = int(min(max(math.floor(4 + math.log2(s / 224) + 1e-6), k_min), k_max) - k_min)
        feat, sc = levels[lvl], scales[lvl]
        h, w = feat.shape[:2]
        x0, y0 = box[0] * sc, box[1] * sc
        bw, bh = max(box[2] * sc - x0, 1.0), max(box[3] * sc - y0, 1.0)
        for p in range(size):
            ys = y0 + p * bh / size + (np.arange(sampling) + 0.5) * bh / size / sampling
            for q in range(size):
                xs = x0 + q * bw / size + (np.arange(sampling) + 0.5) * bw / size / sampling
                acc = 0
                for y in ys:
                    for x in xs:
                        if y < -1 or y > h or x < -1 or x > w:
                            continue
                        y, x = max(y, 0), max(x, 0)
                        yl, xl = int(y), int(x)
                        if yl >= h - 1:
                            yl = yh = h - 1; y = yl
                        else:
                            yh = yl + 1
                        if xl >= w - 1:
                            xl = xh = w - 1; x = xl
                        else:
                            xh = xl + 1
                        ly, lx = y - yl, x - xl
                        acc = acc + (1 - ly) * (1 - lx) * feat[yl, xl] + (1 - ly) * lx * feat[yl, xh] + ly * (1 - lx) * feat[yh, xl] + ly * lx * feat[yh, xh]
                out[r, p, q] = acc / (sampling * sampling)
    return out


def paste(mask, box, image_hw):
    """torchvision paste_masks_in_image (padding 1) for one mask; returns the full-size probabilities."""
    m = mask.shape[0]
    scale = f32((m + 2) / m)
    wh, hh = (box[2] - box[0]) * f32(0.5) * scale, (box[3] - box[1]) * f32(0.5) * scale
    xc, yc = (box[2] + box[0]) * f32(0.5), (box[3] + box[1]) * f32(0.5)
    x1, y1, x2, y2 = [int(v) for v in (xc - wh, yc - hh, xc + wh, yc + hh)]
    w, h = max(x2 - x1 + 1, 1), max(y2 - y1 + 1, 1)
    resized = resize_bilinear(np.pad(mask, 1)[:, :, None], h, w)[:, :, 0]
    out = np.zeros(image_hw, f32)
    ya, yb, xa, xb = max(y1, 0), min(y2 + 1, image_hw[0]), max(x1, 0), min(x2 + 1, image_hw[1])
    if yb > ya and xb > xa:
        out[ya:yb, xa:xb] = resized[ya - y1:yb - y1, xa - x1:xb - x1]
    return out


def predict(sidecar, sessions, grey):
    cfg = sidecar['config']
    image, (rh, rw) = preprocess(grey, sidecar)
    dense = sessions['dense'].run(None, {'image': image})
    names = [o.name for o in sessions['dense'].get_outputs()]
    outs = dict(zip(names, dense))
    n_levels = len(names) - 2
    levels = [outs[f'feature_{i}'][0] for i in range(n_levels)]
    roi_levels = levels[: len(cfg['backbone']['fpnStages'])]
    anchors = anchors_for(cfg, image.shape[2:], [l.shape[:2] for l in levels])
    obj, deltas = outs['rpn_objectness'][0], outs['rpn_deltas'][0]
    rpn = cfg['rpn']
    boxes, scores, lvl, start = [], [], [], 0
    for l, a in enumerate(anchors):
        logits = obj[start:start + len(a)]
        top = np.argsort(-logits, kind='stable')[: rpn['preNmsTopNTest']]
        boxes.append(clip_boxes(decode(deltas[start:start + len(a)][top], a[top], rpn['boxWeights'])[:, 0], (rh, rw)))
        scores.append(1 / (1 + np.exp(-logits[top])))
        lvl.append(np.full(len(top), l))
        start += len(a)
    boxes, scores, lvl = np.concatenate(boxes), np.concatenate(scores), np.concatenate(lvl)
    big = ((boxes[:, 2] - boxes[:, 0]) >= f32(rpn['minBoxSize'])) & ((boxes[:, 3] - boxes[:, 1]) >= f32(rpn['minBoxSize']))
    boxes, scores, lvl = boxes[big], scores[big], lvl[big]
    proposals = boxes[batched_nms(boxes, scores, lvl, rpn['nmsThresh'])[: rpn['postNmsTopNTest']]]

    rh_cfg = cfg['roiHeads']
    feats = roi_align(roi_levels, proposals, (rh, rw), rh_cfg['boxRoiSize'], rh_cfg['samplingRatio'])
    logits, regression = sessions['boxHead'].run(None, {'box_roi_features': feats})
    e = np.exp(logits - logits.max(1, keepdims=True))
    probs = e / e.sum(1, keepdims=True)
    k = probs.shape[1]
    det_boxes = clip_boxes(decode(regression, proposals, rh_cfg['boxWeights']), (rh, rw))
    cand = [(p, c) for p in range(len(proposals)) for c in range(1, k) if probs[p, c] > f32(rh_cfg['scoreThresh'])]
    cb = np.array([det_boxes[p, c] for p, c in cand], f32).reshape(-1, 4)
    cs = np.array([probs[p, c] for p, c in cand], f32)
    cl = np.array([c for _, c in cand], np.int64)
    big = ((cb[:, 2] - cb[:, 0]) >= f32(0.01)) & ((cb[:, 3] - cb[:, 1]) >= f32(0.01))
    cb, cs, cl = cb[big], cs[big], cl[big]
    keep = batched_nms(cb, cs, cl, rh_cfg['nmsThresh'])[: rh_cfg['detectionsPerImg']] if len(cb) else np.zeros(0, np.int64)
    cb, cs, cl = cb[keep], cs[keep], cl[keep]
    masks = np.zeros((0, 28, 28), f32)
    if len(cb):
        mfeats = roi_align(roi_levels, cb, (rh, rw), cfg['maskHead']['roiSize'], rh_cfg['samplingRatio'])
        mprobs = sessions['maskHead'].run(None, {'mask_roi_features': mfeats})[0]
        masks = mprobs[np.arange(len(cb)), :, :, cl]
    h, w = grey.shape
    to_original = np.array([f32(w) / f32(rw), f32(h) / f32(rh)] * 2, f32)
    return [
        {'class': sidecar['classes'][c - 1], 'label': int(c), 'score': float(s), 'box': (b * to_original).tolist(), 'mask28': m}
        for b, s, c, m in zip(cb, cs, cl, masks)
    ], (h, w)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('model')
    ap.add_argument('image')
    ap.add_argument('--json')
    args = ap.parse_args()
    sidecar, sessions = load(args.model)
    grey = np.asarray(Image.open(args.image).convert('L'), f32) / f32(255)
    detections, hw = predict(sidecar, sessions, grey)
    records = []
    for d in detections:
        t = sidecar['thresholds'].get(d['class'], {'score': 0.5, 'mask': 0.5})
        area = int((paste(d['mask28'], np.array(d['box'], f32), hw) > t['mask']).sum())
        proposed = d['score'] >= t['score']
        records.append({'class': d['class'], 'score': d['score'], 'box': d['box'], 'area': area, 'proposed': proposed})
        print(f"{d['class']:6s} score {d['score']:.4f} box {[round(v, 1) for v in d['box']]} area {area}{'' if proposed else ' (below the proposal threshold)'}")
    if args.json:
        with open(args.json, 'w') as fh:
            json.dump(records, fh)


if __name__ == '__main__':
    main()
