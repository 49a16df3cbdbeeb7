/**
 * How useful the proposals an annotator is shown are, measured against ground truth: on how many lesion slices
 * the model proposes at least one lesion, and the Dice between the proposed outlines (rasterised as the app
 * rasterises polygons) and the true lesion pixels, GGO and C together, per slice. Slices without lesions count
 * only for the false proposals they get.
 */
import { fillPolygon } from '@/lib/imaging/contours';
import type { Proposal } from './proposals';

export interface ProposalCase {
  proposals: Proposal[];
  /** Truth: 0 background, anything else lesion (GGO, C, or a merged lesion). */
  truth: Uint8Array;
  width: number;
  height: number;
}

export interface ProposalQuality {
  lesionSlices: number;
  /** Share of lesion slices with at least one proposal. */
  lesionSlicesWithProposal: number;
  /** Mean over lesion slices of the proposal-vs-truth lesion Dice (0 for a slice without proposals). */
  meanLesionDice: number;
  /** The same, over the lesion slices that have proposals. */
  meanLesionDiceWhereProposed: number;
  proposalsPerSlice: number;
  /** Slices without lesions that get a proposal anyway. */
  emptySlicesWithProposal: number;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

export function proposalQuality(cases: ProposalCase[]): ProposalQuality {
  const dices: number[] = [], proposedDices: number[] = [];
  let proposals = 0, empty = 0, emptyProposed = 0;
  for (const c of cases) {
    proposals += c.proposals.length;
    const painted = new Uint8Array(c.width * c.height);
    for (const p of c.proposals) fillPolygon(p, c.width, c.height, painted, 1);
    let inter = 0, a = 0, b = 0;
    for (let i = 0; i < painted.length; i++) {
      const t = c.truth[i] ? 1 : 0;
      a += painted[i];
      b += t;
      inter += painted[i] & t;
    }
    if (b === 0) {
      empty++;
      if (c.proposals.length) emptyProposed++;
      continue;
    }
    const dice = (2 * inter) / (a + b);
    dices.push(dice);
    if (c.proposals.length) proposedDices.push(dice);
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
  return {
    lesionSlices: dices.length,
    lesionSlicesWithProposal: round(dices.length ? proposedDices.length / dices.length : 0),
    meanLesionDice: round(mean(dices)),
    meanLesionDiceWhereProposed: round(mean(proposedDices)),
    proposalsPerSlice: round(cases.length ? proposals / cases.length : 0),
    emptySlicesWithProposal: round(empty ? emptyProposed / empty : 0),
  };
}
