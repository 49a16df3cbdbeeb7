/**
 * Public API of the model library (COVID-CT-Mask-Net in TensorFlow.js). The web app, workers and CLIs
 * import from here; the building blocks stay importable from their own modules.
 */
export { classNamesFor, defaultClassifierConfig, makeSegmenterConfig, MASK_TYPES, parseClassifierConfig, parseSegmenterConfig, presetConfig, PRESETS } from './config';
export type { ClassifierConfig, MaskType, PresetName, SegmenterConfig, TrainOptions } from './config';
export { MaskRcnn, LOSS_NAMES } from './maskRcnn';
export type { ModelInput, RawDetections, DetectOptions } from './maskRcnn';
export { CovidCtMaskNet, classUncertainty } from './classifierS';
export { predict, detectionUncertainty } from './predict';
export type { PredictedInstance, SlicePrediction, PredictOptions } from './predict';
export { evaluateSegmenter, classificationReport } from './evaluate';
export type { SegmentationReport, ClassificationReport } from './evaluate';
export { loadClassifier, loadModel, loadSegmenter, ModelLoadError, readModelDir, saveClassifier, saveSegmenter } from './io';
export type { Manifest, TrainingSummary } from './io';
export { trainSegmenter } from './train/trainSegmenter';
export type { TrainSegmenterOptions } from './train/trainSegmenter';
export { trainClassifier, cachedRankedFeatures } from './train/trainClassifier';
export type { TrainClassifierOptions } from './train/trainClassifier';
export type { ProgressEvent, StopReason } from './train/loop';
export { openClassificationDataset, openSegmentationDataset, readGreySlice, readSegmentationSample } from './data/datasets';
export type { GreySlice } from './data/augment';
export { initModelBackend } from './runtime';
