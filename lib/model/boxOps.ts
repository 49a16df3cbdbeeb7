/**
 * Box operations with torchvision.ops semantics, on plain typed arrays (none of them is differentiable,
 * and the detection heads call them outside the gradient tape).
 *
 * A box list is a flat Float32Array [N*4] of [x1, y1, x2, y2] in pixels (x = column), no "+1".
 *
 *   boxCount(boxes): number
 *   boxArea(boxes): Float32Array [N]
 *   boxIou(a, b): Float32Array [Na*Nb], row-major iou[i*Nb + j] (float32 maths, as the reference)
 *   clipBoxesToImage(boxes, [h, w]): Float32Array           — x to [0, w], y to [0, h]
 *   removeSmallBoxes(boxes, minSize): Int32Array            — indices with both sides >= minSize
 *   nms(boxes, scores, iouThreshold): Int32Array            — kept indices, decreasing score
 *   batchedNms(boxes, scores, classIdxs, iouThreshold): Int32Array — NMS per class, merged by score
 *   selectBoxes(boxes, indices): Float32Array               — rows `indices` of a box list
 */

export type Boxes = Float32Array;

const f = Math.fround;

export function boxCount(boxes: ArrayLike<number>): number {
  if (boxes.length % 4 !== 0) throw new Error(`a box list must hold 4 numbers per box, got ${boxes.length} numbers`);
  return boxes.length / 4;
}

export function boxArea(boxes: Boxes): Float32Array {
  const n = boxCount(boxes);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = f(f(boxes[4 * i + 2] - boxes[4 * i]) * f(boxes[4 * i + 3] - boxes[4 * i + 1]));
  return out;
}

/** IoU of box i of `a` with box j of `b`, every step rounded to float32 like torchvision.ops.box_iou. */
export function boxIou(a: Boxes, b: Boxes): Float32Array {
  const na = boxCount(a);
  const nb = boxCount(b);
  const areaA = boxArea(a);
  const areaB = boxArea(b);
  const out = new Float32Array(na * nb);
  for (let i = 0; i < na; i++) {
    const ax1 = a[4 * i], ay1 = a[4 * i + 1], ax2 = a[4 * i + 2], ay2 = a[4 * i + 3];
    for (let j = 0; j < nb; j++) {
      const w = f(Math.min(ax2, b[4 * j + 2]) - Math.max(ax1, b[4 * j]));
      const h = f(Math.min(ay2, b[4 * j + 3]) - Math.max(ay1, b[4 * j + 1]));
      const inter = w > 0 && h > 0 ? f(w * h) : 0;
      out[i * nb + j] = f(inter / f(f(areaA[i] + areaB[j]) - inter));
    }
  }
  return out;
}

export function clipBoxesToImage(boxes: Boxes, [h, w]: readonly [number, number]): Boxes {
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = Math.min(Math.max(boxes[i], 0), w);
    out[i + 1] = Math.min(Math.max(boxes[i + 1], 0), h);
    out[i + 2] = Math.min(Math.max(boxes[i + 2], 0), w);
    out[i + 3] = Math.min(Math.max(boxes[i + 3], 0), h);
  }
  return out;
}

/** torchvision.ops.remove_small_boxes: keep boxes whose width and height are both >= minSize (float32). */
export function removeSmallBoxes(boxes: Boxes, minSize: number): Int32Array {
  const n = boxCount(boxes);
  const min = f(minSize);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    const ws = f(boxes[4 * i + 2] - boxes[4 * i]);
    const hs = f(boxes[4 * i + 3] - boxes[4 * i + 1]);
    if (ws >= min && hs >= min) keep.push(i);
  }
  return Int32Array.from(keep);
}

export function selectBoxes(boxes: Boxes, indices: ArrayLike<number>): Boxes {
  const out = new Float32Array(indices.length * 4);
  for (let k = 0; k < indices.length; k++) out.set(boxes.subarray(4 * indices[k], 4 * indices[k] + 4), 4 * k);
  return out;
}

/** Indices sorted by decreasing score; equal scores keep index order (the reference leaves ties unspecified). */
export function argsortDescending(scores: ArrayLike<number>, indices?: ArrayLike<number>): Int32Array {
  const order = indices ? Int32Array.from(indices) : Int32Array.from({ length: scores.length }, (_, i) => i);
  return order.sort((p, q) => scores[q] - scores[p] || p - q);
}

/**
 * Greedy NMS over the candidates `order` (already sorted by decreasing score): a box is suppressed when
 * its float32 IoU with a kept box is strictly greater than the threshold (compared in double, as the
 * torchvision CPU kernel promotes the float IoU).
 */
function nmsSorted(boxes: Boxes, areas: Float32Array, order: Int32Array, iouThreshold: number): number[] {
  const suppressed = new Uint8Array(order.length);
  const keep: number[] = [];
  for (let a = 0; a < order.length; a++) {
    if (suppressed[a]) continue;
    const i = order[a];
    keep.push(i);
    const ix1 = boxes[4 * i], iy1 = boxes[4 * i + 1], ix2 = boxes[4 * i + 2], iy2 = boxes[4 * i + 3];
    const iarea = areas[i];
    // disjoint boxes have IoU 0, which never exceeds a non-negative threshold: skip the float32 maths
    const skipDisjoint = iouThreshold >= 0;
    for (let b = a + 1; b < order.length; b++) {
      if (suppressed[b]) continue;
      const j = order[b];
      const w = f(Math.min(ix2, boxes[4 * j + 2]) - Math.max(ix1, boxes[4 * j]));
      if (w <= 0 && skipDisjoint) continue;
      const h = f(Math.min(iy2, boxes[4 * j + 3]) - Math.max(iy1, boxes[4 * j + 1]));
      if (h <= 0 && skipDisjoint) continue;
      const inter = w > 0 && h > 0 ? f(w * h) : 0;
      if (f(inter / f(f(iarea + areas[j]) - inter)) > iouThreshold) suppressed[b] = 1;
    }
  }
  return keep;
}

export function nms(boxes: Boxes, scores: ArrayLike<number>, iouThreshold: number): Int32Array {
  if (scores.length !== boxCount(boxes)) throw new Error(`nms: ${boxCount(boxes)} boxes but ${scores.length} scores`);
  return Int32Array.from(nmsSorted(boxes, boxArea(boxes), argsortDescending(scores), iouThreshold));
}

/** NMS run independently per class id; the union of kept indices in decreasing score order. */
export function batchedNms(
  boxes: Boxes,
  scores: ArrayLike<number>,
  classIdxs: ArrayLike<number>,
  iouThreshold: number,
): Int32Array {
  const n = boxCount(boxes);
  if (scores.length !== n || classIdxs.length !== n)
    throw new Error(`batchedNms: ${n} boxes, ${scores.length} scores and ${classIdxs.length} class ids must match`);
  const areas = boxArea(boxes);
  const order = argsortDescending(scores);
  const byClass = new Map<number, number[]>();
  for (const i of order) {
    const list = byClass.get(classIdxs[i]);
    if (list) list.push(i);
    else byClass.set(classIdxs[i], [i]);
  }
  const kept: number[] = [];
  for (const list of byClass.values()) kept.push(...nmsSorted(boxes, areas, Int32Array.from(list), iouThreshold));
  return argsortDescending(scores, kept);
}
