/**
 * torchvision det_utils.Matcher and the two target assignments built on it.
 *
 *   matchQuality(iou: Float32Array [G*A], numGt, cfg): Int32Array [A]
 *        per anchor: matched gt index, BELOW_LOW_THRESHOLD (−1) or BETWEEN_THRESHOLDS (−2);
 *        thresholds compared in float32; with allowLowQualityMatches every anchor that ties for a gt's
 *        best IoU gets back its OWN argmax gt (first index on ties)
 *   assignRpnTargets(anchors, gtBoxes, cfg): { labels: Float32Array [A] (1 fg, 0 bg, −1 ignore), matchedGtBoxes: Boxes [A*4] }
 *   assignRoiTargets(proposals, gtBoxes, gtLabels, cfg): { labels: Int32Array [P] (class, 0 bg, −1 ignore), matchedIdxs: Int32Array [P] (clamped ≥ 0) }
 *        without gt boxes every anchor/proposal is background, as torchvision
 */
import { boxCount, boxIou, selectBoxes, type Boxes } from './boxOps';

export interface MatcherConfig {
  highThreshold: number;
  lowThreshold: number;
  allowLowQualityMatches: boolean;
}

export const BELOW_LOW_THRESHOLD = -1;
export const BETWEEN_THRESHOLDS = -2;

export function matchQuality(iou: Float32Array, numGt: number, cfg: MatcherConfig): Int32Array {
  if (numGt === 0) throw new Error('matcher: no ground-truth boxes for this image (assign targets handles that case)');
  if (cfg.lowThreshold > cfg.highThreshold) throw new Error('matcher: lowThreshold must not exceed highThreshold');
  const numAnchors = iou.length / numGt;
  if (!Number.isInteger(numAnchors)) throw new Error(`matcher: ${iou.length} IoU values do not form ${numGt} rows`);
  if (numAnchors === 0) throw new Error('matcher: no anchors or proposals for this image');
  // The reference compares float32 IoUs with thresholds cast to float32 (0.7f < 0.7).
  const high = Math.fround(cfg.highThreshold);
  const low = Math.fround(cfg.lowThreshold);
  const argmax = new Int32Array(numAnchors);
  const best = new Float32Array(numAnchors).fill(-Infinity);
  for (let g = 0; g < numGt; g++)
    for (let a = 0; a < numAnchors; a++) {
      const v = iou[g * numAnchors + a];
      if (v > best[a]) { best[a] = v; argmax[a] = g; }
    }
  const matches = new Int32Array(numAnchors);
  for (let a = 0; a < numAnchors; a++)
    matches[a] = best[a] < low ? BELOW_LOW_THRESHOLD : best[a] < high ? BETWEEN_THRESHOLDS : argmax[a];
  if (cfg.allowLowQualityMatches) {
    for (let g = 0; g < numGt; g++) {
      let gtBest = -Infinity;
      for (let a = 0; a < numAnchors; a++) gtBest = Math.max(gtBest, iou[g * numAnchors + a]);
      for (let a = 0; a < numAnchors; a++) if (iou[g * numAnchors + a] === gtBest) matches[a] = argmax[a];
    }
  }
  return matches;
}

export function assignRpnTargets(
  anchors: Boxes,
  gtBoxes: Boxes,
  cfg: MatcherConfig,
): { labels: Float32Array; matchedGtBoxes: Boxes } {
  const numAnchors = boxCount(anchors);
  const numGt = boxCount(gtBoxes);
  if (numGt === 0) return { labels: new Float32Array(numAnchors), matchedGtBoxes: new Float32Array(numAnchors * 4) };
  const matches = matchQuality(boxIou(gtBoxes, anchors), numGt, cfg);
  const labels = new Float32Array(numAnchors);
  for (let a = 0; a < numAnchors; a++)
    labels[a] = matches[a] >= 0 ? 1 : matches[a] === BETWEEN_THRESHOLDS ? -1 : 0;
  return { labels, matchedGtBoxes: selectBoxes(gtBoxes, matches.map((m) => Math.max(m, 0))) };
}

export function assignRoiTargets(
  proposals: Boxes,
  gtBoxes: Boxes,
  gtLabels: ArrayLike<number>,
  cfg: MatcherConfig,
): { labels: Int32Array; matchedIdxs: Int32Array } {
  const numProposals = boxCount(proposals);
  const numGt = boxCount(gtBoxes);
  if (gtLabels.length !== numGt) throw new Error(`assignRoiTargets: ${numGt} gt boxes but ${gtLabels.length} labels`);
  if (numGt === 0) return { labels: new Int32Array(numProposals), matchedIdxs: new Int32Array(numProposals) };
  const matches = matchQuality(boxIou(gtBoxes, proposals), numGt, cfg);
  const labels = new Int32Array(numProposals);
  for (let p = 0; p < numProposals; p++)
    labels[p] = matches[p] >= 0 ? gtLabels[matches[p]] : matches[p] === BETWEEN_THRESHOLDS ? -1 : 0;
  return { labels, matchedIdxs: matches.map((m) => Math.max(m, 0)) };
}
