/**
 * Segmenter inference on onnxruntime: the three graphs of segmenterGraphs.ts in three sessions, driven by the
 * same detectionFlow as the TensorFlow.js model (so both backends share proposals, NMS, RoIAlign and mask
 * pasting). onnxruntime-node is loaded lazily through an injectable loader, so a machine where its native
 * library cannot load falls back to wasm (inferenceBackend.ts) instead of failing.
 *
 *   loadOnnxRuntime(loader?): Promise<OrtModule>                  — the module, or OnnxRuntimeUnavailable
 *   OnnxSegmenter.fromModelDir(dir, { ort, threads })              — graphs built in memory from a model folder
 *   OnnxSegmenter.fromModel(maskRcnn, { ort, threads })            — graphs of a model in memory (benchmarks, tests)
 *   OnnxSegmenter.fromFile(model.onnx, { ort, threads })           — an export (sidecar checked, SHA-256 verified)
 *   segmenter.detect(input, opts): Promise<RawDetections>          — what MaskRcnn.detect returns
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import type { SegmenterConfig } from '../config';
import { detectionFlow, driveAsync, type DenseOutputs } from '../detectionFlow';
import type { DetectOptions, MaskRcnn, ModelInput, RawDetections } from '../maskRcnn';
import { weightsOfParamStore } from './layers';
import { ONNX_NAMES, numFeatureLevels, segmenterGraphs, type GraphName } from './segmenterGraphs';
import { onnxExportOf } from './exportOnnx';
import { exportPaths, onnxSidecarSchema, type OnnxSidecar } from './sidecar';

export type OrtModule = typeof Ort;
export type OrtLoader = () => Promise<OrtModule>;

export const defaultOrtLoader: OrtLoader = async () => {
  const m = (await import('onnxruntime-node')) as OrtModule & { default?: OrtModule };
  return m.InferenceSession ? m : m.default!;
};

export class OnnxRuntimeUnavailable extends Error {}

/** A model file that onnxruntime (or the sidecar check) refuses, with what to do about it. */
export class OnnxModelError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`Cannot load ${file}: ${reason}`);
  }
}

export async function loadOnnxRuntime(loader: OrtLoader = defaultOrtLoader): Promise<OrtModule> {
  try {
    const ort = await loader();
    if (typeof ort?.InferenceSession?.create !== 'function') throw new Error('the module has no InferenceSession');
    return ort;
  } catch (err) {
    throw new OnnxRuntimeUnavailable(`onnxruntime-node could not be loaded (${(err as Error).message.split('\n')[0]})`);
  }
}

export const EXECUTION_PROVIDERS = ['cpu', 'cuda'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];
export const PROVIDERS_ENV_VAR = 'CTMS_ONNX_PROVIDERS';

/**
 * Execution providers from CTMS_ONNX_PROVIDERS ("cuda,cpu" once the CUDA provider is installed, see the README);
 * default cpu, the one the npm package ships.
 */
export function providersFromEnv(env: Record<string, string | undefined> = process.env): ExecutionProvider[] {
  const raw = env[PROVIDERS_ENV_VAR];
  if (!raw) return ['cpu'];
  const names = raw.split(',').map((p) => p.trim().toLowerCase());
  const bad = names.filter((p) => !(EXECUTION_PROVIDERS as readonly string[]).includes(p));
  if (bad.length) throw new OnnxRuntimeUnavailable(`${PROVIDERS_ENV_VAR}=${raw}: unknown provider ${bad.join(', ')} (use ${EXECUTION_PROVIDERS.join(', ')})`);
  return names as ExecutionProvider[];
}

export interface OnnxSegmenterOptions {
  ort: OrtModule;
  /** intraOpNumThreads: the cores the job was given (default: onnxruntime's choice). */
  threads?: number;
  /** Default providersFromEnv(). */
  providers?: ExecutionProvider[];
}

async function createSession(ort: OrtModule, bytes: Uint8Array, file: string, o: OnnxSegmenterOptions): Promise<Ort.InferenceSession> {
  const providers = o.providers ?? providersFromEnv();
  try {
    return await ort.InferenceSession.create(bytes, {
      ...(o.threads ? { intraOpNumThreads: o.threads, interOpNumThreads: 1 } : {}),
      executionProviders: providers,
      graphOptimizationLevel: 'all',
    });
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    if (providers.some((p) => p !== 'cpu')) throw new OnnxRuntimeUnavailable(`onnxruntime could not start the ${providers.join(', ')} provider(s) (${reason})`);
    throw new OnnxModelError(file, `onnxruntime cannot read it as an ONNX model (${reason}); re-export it with npm run export -- --format onnx`);
  }
}

export class OnnxSegmenter {
  readonly backend = 'onnxruntime' as const;

  private constructor(
    readonly config: SegmenterConfig,
    private readonly ort: OrtModule,
    private readonly sessions: Record<GraphName, Ort.InferenceSession>,
  ) {}

  private static async create(config: SegmenterConfig, graphs: Record<GraphName, { bytes: Uint8Array; file: string }>, o: OnnxSegmenterOptions): Promise<OnnxSegmenter> {
    const names: GraphName[] = ['dense', 'boxHead', 'maskHead'];
    const sessions = {} as Record<GraphName, Ort.InferenceSession>;
    try {
      for (const n of names) sessions[n] = await createSession(o.ort, graphs[n].bytes, graphs[n].file, o);
    } catch (err) {
      for (const s of Object.values(sessions)) await s.release();
      throw err;
    }
    return new OnnxSegmenter(config, o.ort, sessions);
  }

  /** A model folder (lib/model/io), exported in memory. */
  static async fromModelDir(dir: string, o: OnnxSegmenterOptions): Promise<OnnxSegmenter> {
    const { graphs, sidecar } = onnxExportOf(dir);
    const src = (g: GraphName) => ({ bytes: graphs[g], file: `${dir} (${g} graph)` });
    return OnnxSegmenter.create(sidecar.config, { dense: src('dense'), boxHead: src('boxHead'), maskHead: src('maskHead') }, o);
  }

  /** A model in memory, e.g. the bench's random-weight preset. */
  static async fromModel(model: MaskRcnn, o: OnnxSegmenterOptions): Promise<OnnxSegmenter> {
    const graphs = segmenterGraphs(model.config, weightsOfParamStore(model.ps));
    const src = (g: GraphName) => ({ bytes: graphs[g], file: `in-memory ${model.config.preset} model (${g} graph)` });
    return OnnxSegmenter.create(model.config, { dense: src('dense'), boxHead: src('boxHead'), maskHead: src('maskHead') }, o);
  }

  /** An export: `model.onnx`, its head graphs and `model.json` (readOnnxExport checks them). */
  static async fromFile(onnxFile: string, o: OnnxSegmenterOptions): Promise<{ segmenter: OnnxSegmenter; sidecar: OnnxSidecar }> {
    const { sidecar, files } = readOnnxExport(onnxFile);
    return { segmenter: await OnnxSegmenter.create(sidecar.config, files, o), sidecar };
  }

  private tensor(data: Float32Array, dims: number[]): Ort.Tensor {
    return new this.ort.Tensor('float32', data, dims);
  }

  async dense(input: ModelInput): Promise<DenseOutputs> {
    const [, h, w] = input.image.shape;
    const nhwc = input.image.dataSync() as Float32Array;
    const nchw = new Float32Array(nhwc.length);
    const plane = h * w;
    for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) nchw[c * plane + p] = nhwc[3 * p + c];
    const out = await this.sessions.dense.run({ [ONNX_NAMES.image]: this.tensor(nchw, [1, 3, h, w]) });
    const levels = Array.from({ length: numFeatureLevels(this.config) }, (_, i) => {
      const t = out[ONNX_NAMES.feature(i)];
      const [, fh, fw, c] = t.dims as number[];
      return { data: t.data as Float32Array, height: fh, width: fw, channels: c };
    });
    return { levels, objectness: out[ONNX_NAMES.objectness].data as Float32Array, deltas: out[ONNX_NAMES.deltas].data as Float32Array };
  }

  async detect(input: ModelInput, opts: DetectOptions = {}): Promise<RawDetections> {
    const dense = await this.dense(input);
    const flow = detectionFlow(this.config, dense, { paddedHW: [input.image.shape[1], input.image.shape[2]], imageHW: input.imageHW }, opts);
    return driveAsync(flow, { box: (roi, count) => this.boxHead(roi, count), mask: (roi, count) => this.maskProbs(roi, count) });
  }

  /** Segmenter.embed: the deepest RoI level of the pyramid, averaged over the image (as MaskRcnn.embed). */
  async embed(input: ModelInput): Promise<Float32Array> {
    const { levels } = await this.dense(input);
    const level = levels[this.config.backbone.fpnStages.length - 1];
    const out = new Float32Array(level.channels);
    const n = level.height * level.width;
    for (let p = 0; p < n; p++) for (let c = 0; c < level.channels; c++) out[c] += level.data[p * level.channels + c];
    return out.map((v) => v / n);
  }

  /** Box head on [count, S, S, C] RoI features. */
  async boxHead(roi: Float32Array, count: number): Promise<{ classLogits: Float32Array; boxRegression: Float32Array }> {
    // no proposals: nothing to run
    if (count === 0) return { classLogits: new Float32Array(0), boxRegression: new Float32Array(0) };
    const s = this.config.roiHeads.boxRoiSize;
    const out = await this.sessions.boxHead.run({ [ONNX_NAMES.boxRoiFeatures]: this.tensor(roi, [count, s, s, this.config.backbone.outChannels]) });
    return { classLogits: out[ONNX_NAMES.classLogits].data as Float32Array, boxRegression: out[ONNX_NAMES.boxRegression].data as Float32Array };
  }

  /** Mask head on [count, 14, 14, C] RoI features: [count, 28, 28, K] probabilities. */
  async maskProbs(roi: Float32Array, count: number): Promise<Float32Array> {
    const s = this.config.maskHead.roiSize;
    const out = await this.sessions.maskHead.run({ [ONNX_NAMES.maskRoiFeatures]: this.tensor(roi, [count, s, s, this.config.backbone.outChannels]) });
    return out[ONNX_NAMES.maskProbs].data as Float32Array;
  }

  dispose(): void {
    for (const s of Object.values(this.sessions)) void s.release();
  }
}

const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

/** Reads and checks an export: sidecar present and valid, every graph file present with its recorded SHA-256. */
export function readOnnxExport(onnxFile: string): { sidecar: OnnxSidecar; files: Record<GraphName, { bytes: Uint8Array; file: string }> } {
  const paths = exportPaths(onnxFile);
  if (!fs.existsSync(onnxFile)) throw new OnnxModelError(onnxFile, 'the file does not exist');
  if (!fs.existsSync(paths.sidecar)) throw new OnnxModelError(onnxFile, `its sidecar ${path.basename(paths.sidecar)} is missing (an export is model.onnx, model.box_head.onnx, model.mask_head.onnx and model.json)`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(paths.sidecar, 'utf8'));
  } catch (err) {
    throw new OnnxModelError(paths.sidecar, `not valid JSON (${(err as Error).message})`);
  }
  const parsed = onnxSidecarSchema.safeParse(raw);
  if (!parsed.success) throw new OnnxModelError(paths.sidecar, `not a CT-Mask Studio ONNX sidecar (${parsed.error.issues.slice(0, 2).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  const sidecar = parsed.data;
  const dir = path.dirname(onnxFile);
  const files = {} as Record<GraphName, { bytes: Uint8Array; file: string }>;
  for (const g of ['dense', 'boxHead', 'maskHead'] as GraphName[]) {
    const file = g === 'dense' ? onnxFile : path.join(dir, sidecar.graphs[g].file);
    if (!fs.existsSync(file)) throw new OnnxModelError(file, 'the file does not exist (the export is incomplete)');
    const bytes = new Uint8Array(fs.readFileSync(file));
    if (sha256(bytes) !== sidecar.graphs[g].sha256) throw new OnnxModelError(file, `the file is corrupt or truncated: its SHA-256 does not match ${path.basename(paths.sidecar)} (re-export the model)`);
    files[g] = { bytes, file };
  }
  return { sidecar, files };
}
