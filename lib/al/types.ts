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
  /** Disagreement of the segmenter's test-time-augmented passes (lib/model/epistemic.ts), mean over classes. */
  epistemic?: number;
  /** The same per class name (GGO, C), so a strategy can favour the rarer class. */
  epistemicByClass?: Record<string, number>;
}

export interface SliceCandidate {
  sliceId: string;
  studyId: string;
  /** Position in its study, for the neighbour rule. */
  index: number;
  /** Absent when no model has scored the slice yet. */
  signals?: UncertaintySignals;
  /** The segmenter's slice descriptor (core-set strategy). */
  embedding?: number[];
}

/** What a strategy may know besides the candidates. */
export interface AcquisitionContext {
  /** The seeded generator (random order, tie-breaking). */
  random: () => number;
  /** Slices to pick in this batch. */
  batchSize: number;
  /** Descriptors of the slices already labelled: the core-set's first centres. */
  labelledEmbeddings?: number[][];
  /** Lesion pixels per class name among the labelled slices: how rare each class is. */
  labelledClassPixels?: Record<string, number>;
}
