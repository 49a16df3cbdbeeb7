/**
 * Active learning: which unlabelled slice should a person label next? Each strategy scores slices from the signals
 * the active model stored when it scored them (lib/jobs/handlers/score.ts); higher means "ask about this sooner".
 * Every uncertainty signal is stored so that higher = less sure, in [0, 1].
 */
export interface UncertaintySignals {
  /** 1 − max class probability of S. */
  leastConfidence?: number;
  /** 1 − (p₁ − p₂) of S's two most probable classes. */
  margin?: number;
  /** Entropy of S's class probabilities, normalised by log(C). */
  entropy?: number;
  /** Detection-level uncertainty of the segmenter (box scores and mask probabilities). */
  segmentation?: number;
}

export interface SliceCandidate {
  sliceId: string;
  studyId: string;
  /** Position in its study, for the neighbour rule. */
  index: number;
  /** Absent when no model has scored the slice yet. */
  signals?: UncertaintySignals;
}

/** A strategy's score for one slice; `random` draws from the seeded generator it is given. */
export type AcquisitionStrategy = (candidate: SliceCandidate, random: () => number) => number | undefined;
