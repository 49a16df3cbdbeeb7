/**
 * Model directories: `manifest.json` (format version, kind, class names, weight layout and dtype, SHA-256
 * of the weights, training-data summary, calibrated proposal thresholds), `config.json` (the full config
 * the model was built from) and `weights.bin` (little-endian, parameters in manifest order; float32, or
 * float16 for models shipped in the repository — half the size, and below the models' noise once loaded
 * back into float32). Loading verifies the checksum and that every parameter's name and shape match the
 * config, and says what is wrong when not.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Float16Array } from '@petamoriken/float16';
import * as tf from '@tensorflow/tfjs';
import type { ClassThreshold } from './calibrate';
import { CovidCtMaskNet } from './classifierS';
import { parseClassifierConfig, parseSegmenterConfig } from './config';
import type { ParamStore } from './layers';
import { MaskRcnn } from './maskRcnn';

export const MODEL_FORMAT = 'ct-mask-studio/model';
export const MODEL_FORMAT_VERSION = 1;

export interface WeightSpec {
  name: string;
  shape: number[];
}

export interface TrainingSummary {
  dataDir?: string;
  trainCount?: number;
  valCount?: number;
  epochs?: number;
  steps?: number;
  seed?: number;
  /** Final validation metrics, free-form. */
  metrics?: Record<string, unknown>;
  /** Checksum of the segmenter a classifier was built on (S features cache key). */
  segmenterChecksum?: string;
  [key: string]: unknown;
}

export interface Manifest {
  format: typeof MODEL_FORMAT;
  version: number;
  kind: 'segmenter' | 'classifier';
  classNames: string[];
  weights: WeightSpec[];
  /** SHA-256 of weights.bin, hex. */
  sha256: string;
  /** How weights.bin stores numbers (absent: float32). */
  dtype?: WeightDtype;
  /** Proposal thresholds per class name, chosen on validation slices at training time (calibrate.ts). */
  proposalThresholds?: Record<string, ClassThreshold>;
  training: TrainingSummary;
  createdAt: string;
}

export type WeightDtype = 'float32' | 'float16';

export interface SaveOptions {
  dtype?: WeightDtype;
  proposalThresholds?: Record<string, ClassThreshold>;
}

export class ModelLoadError extends Error {
  constructor(dir: string, problem: string) {
    super(`Cannot load model from ${dir}: ${problem}`);
    this.name = 'ModelLoadError';
  }
}

export function sha256(data: Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** Writes the three files (atomically per file: temp name then rename). Returns the weights checksum. */
export function saveModelDir(
  dir: string,
  model: { kind: Manifest['kind']; config: unknown; classNames: string[]; ps: ParamStore },
  training: TrainingSummary = {},
  options: SaveOptions = {},
): string {
  fs.mkdirSync(dir, { recursive: true });
  const names = model.ps.names();
  const total = names.reduce((a, n) => a + model.ps.get(n).size, 0);
  const buf = new Float32Array(total);
  const specs: WeightSpec[] = [];
  let o = 0;
  for (const n of names) {
    const v = model.ps.get(n);
    buf.set(v.dataSync() as Float32Array, o);
    o += v.size;
    specs.push({ name: n, shape: v.shape });
  }
  const dtype = options.dtype ?? 'float32';
  const bytes = dtype === 'float16' ? new Uint8Array(new Float16Array(buf).buffer) : new Uint8Array(buf.buffer);
  const checksum = sha256(bytes);
  const manifest: Manifest = {
    format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, kind: model.kind, classNames: model.classNames,
    weights: specs, sha256: checksum, ...(dtype === 'float16' ? { dtype } : {}),
    ...(options.proposalThresholds ? { proposalThresholds: options.proposalThresholds } : {}),
    training, createdAt: new Date().toISOString(),
  };
  writeAtomic(path.join(dir, 'weights.bin'), bytes);
  writeAtomic(path.join(dir, 'config.json'), JSON.stringify(model.config, null, 2));
  writeAtomic(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return checksum;
}

function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

export interface ModelDir {
  dir: string;
  manifest: Manifest;
  config: unknown;
  weights: Float32Array;
}

/** Reads and verifies a model directory (files present, JSON valid, checksum, sizes). */
export function readModelDir(dir: string): ModelDir {
  if (!fs.existsSync(dir)) throw new ModelLoadError(dir, 'the folder does not exist');
  for (const f of ['manifest.json', 'config.json', 'weights.bin']) {
    if (!fs.existsSync(path.join(dir, f))) throw new ModelLoadError(dir, `${f} is missing (a model folder holds manifest.json, config.json and weights.bin)`);
  }
  const manifest = readJson(dir, 'manifest.json') as Manifest;
  if (manifest.format !== MODEL_FORMAT) throw new ModelLoadError(dir, `manifest.json is not a CT-Mask Studio model (format "${String(manifest.format)}")`);
  if (manifest.version !== MODEL_FORMAT_VERSION) throw new ModelLoadError(dir, `model format version ${manifest.version} is not supported (expected ${MODEL_FORMAT_VERSION})`);
  const config = readJson(dir, 'config.json');
  const raw = fs.readFileSync(path.join(dir, 'weights.bin'));
  const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  const actual = sha256(bytes);
  if (actual !== manifest.sha256) {
    throw new ModelLoadError(dir, `weights.bin is corrupt: its SHA-256 is ${actual.slice(0, 12)}… but the manifest records ${String(manifest.sha256).slice(0, 12)}… (re-copy or re-train the model)`);
  }
  const dtype = manifest.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float16') throw new ModelLoadError(dir, `weights dtype "${String(dtype)}" is not supported (float32 or float16)`);
  const width = dtype === 'float16' ? 2 : 4;
  const expected = manifest.weights.reduce((a, w) => a + w.shape.reduce((p, q) => p * q, 1), 0);
  if (bytes.byteLength !== expected * width) throw new ModelLoadError(dir, `weights.bin holds ${bytes.byteLength / width} numbers but the manifest lists ${expected}`);
  const weights = dtype === 'float16' ? Float32Array.from(new Float16Array(bytes.slice().buffer)) : new Float32Array(bytes.slice().buffer);
  return { dir, manifest, config, weights };
}

function readJson(dir: string, file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  } catch (err) {
    throw new ModelLoadError(dir, `${file} is not valid JSON (${(err as Error).message})`);
  }
}

/**
 * Copies the weights of a verified model directory into `ps`. Every parameter of `ps` must be present
 * with the same shape, and the directory must hold no others; `filter` restricts which of `ps`'s
 * parameters are expected (e.g. only the segmenter's inside a classifier).
 */
export function assignWeights(md: ModelDir, ps: ParamStore, filter: (name: string) => boolean = () => true): void {
  const wanted = ps.names().filter(filter);
  const offsets = new Map<string, { offset: number; shape: number[] }>();
  let o = 0;
  for (const w of md.manifest.weights) {
    offsets.set(w.name, { offset: o, shape: w.shape });
    o += w.shape.reduce((p, q) => p * q, 1);
  }
  const problems: string[] = [];
  for (const n of wanted) {
    const s = offsets.get(n);
    const v = ps.get(n);
    if (!s) problems.push(`${n} is missing`);
    else if (s.shape.join('x') !== v.shape.join('x')) problems.push(`${n} has shape [${s.shape}] but the config needs [${v.shape}]`);
  }
  const extra = [...offsets.keys()].filter((n) => !ps.has(n));
  if (extra.length) problems.push(`${extra.length} unexpected parameter(s), e.g. ${extra[0]}`);
  if (problems.length) {
    throw new ModelLoadError(md.dir, `the weights do not match the model config (${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''})`);
  }
  for (const n of wanted) {
    const s = offsets.get(n)!;
    const v = ps.get(n);
    tf.tidy(() => v.assign(tf.tensor(md.weights.subarray(s.offset, s.offset + v.size), v.shape, 'float32')));
  }
}

/** Saves a segmenter (kind, config and class names come from the model). Returns the weights checksum. */
export function saveSegmenter(dir: string, model: MaskRcnn, training: TrainingSummary = {}, options: SaveOptions = {}): string {
  return saveModelDir(dir, { kind: 'segmenter', config: model.config, classNames: model.config.classNames, ps: model.ps }, training, options);
}

export function saveClassifier(dir: string, model: CovidCtMaskNet, training: TrainingSummary = {}): string {
  return saveModelDir(dir, { kind: 'classifier', config: model.config, classNames: model.config.classNames, ps: model.ps }, training);
}

function configOf<T>(md: ModelDir, parse: (v: unknown) => T): T {
  try {
    return parse(md.config);
  } catch (err) {
    throw new ModelLoadError(md.dir, `config.json is not valid (${(err as Error).message})`);
  }
}

function expectKind(md: ModelDir, kind: Manifest['kind']): void {
  if (md.manifest.kind !== kind) throw new ModelLoadError(md.dir, `it holds a ${md.manifest.kind}, not a ${kind}`);
}

/** Builds a model of `kind` from the folder's config and fills in its weights (the model is freed if they do not fit). */
function loadKind<M extends { ps: ParamStore; dispose(): void }>(dir: string, kind: Manifest['kind'], build: (md: ModelDir) => M): M {
  const md = readModelDir(dir);
  expectKind(md, kind);
  const model = build(md);
  try {
    assignWeights(md, model.ps);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

export function loadSegmenter(dir: string): MaskRcnn {
  return loadKind(dir, 'segmenter', (md) => new MaskRcnn(configOf(md, parseSegmenterConfig)));
}

export function loadClassifier(dir: string): CovidCtMaskNet {
  return loadKind(dir, 'classifier', (md) => new CovidCtMaskNet(configOf(md, parseClassifierConfig)));
}

/** Loads whichever kind the directory holds. */
export function loadModel(dir: string): { kind: 'segmenter'; model: MaskRcnn } | { kind: 'classifier'; model: CovidCtMaskNet } {
  const kind = readModelDir(dir).manifest.kind;
  return kind === 'segmenter' ? { kind, model: loadSegmenter(dir) } : { kind, model: loadClassifier(dir) };
}
