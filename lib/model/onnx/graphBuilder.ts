/**
 * A small builder of ONNX graphs on top of onnx-proto's generated message classes (no hand-written
 * protobuf): initializers from float32 arrays, nodes with typed attributes, graph inputs/outputs with
 * symbolic dimensions, and the encoded ModelProto. Value names are made unique by a counter; the stage
 * modules (trunk, FPN, heads) only call `node` and `weight`.
 */
import { onnx } from 'onnx-proto';

/** The operator set the exporter writes (ONNX 1.10's default domain; every op used here is older). */
export const ONNX_OPSET = 13;
/** IR version 7 goes with opset 13 (onnx 1.8+); it lets graph inputs have initializer defaults. */
const IR_VERSION = 7;

export type AttrValue = number | number[] | string | { ints: number[] } | { floats: number[] };

function attribute(name: string, value: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return Number.isInteger(value) ? { name, type: T.INT, i: value } : { name, type: T.FLOAT, f: value };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if ('ints' in value) return { name, type: T.INTS, ints: value.ints };
  return { name, type: T.FLOATS, floats: value.floats };
}

/** Dimension: a fixed size or a symbolic name (e.g. "height"). */
export type Dim = number | string;

function valueInfo(name: string, dims: Dim[], elemType = onnx.TensorProto.DataType.FLOAT): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly weightNames = new Set<string>();
  private counter = 0;

  /** A float32 constant by name; a shared layer (the RPN head on every level) names the same one again. */
  weight(name: string, data: Float32Array, dims: number[]): string {
    if (this.weightNames.has(name)) return name;
    this.weightNames.add(name);
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`ONNX initializer ${name}: ${data.length} values do not fill [${dims}]`);
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() });
    return name;
  }

  int64(name: string, values: number[]): string {
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
    this.initializers.push({ name: this.unique(name), dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: bytes });
    return this.initializers[this.initializers.length - 1].name!;
  }

  /** A graph input; with `defaultValue` it is optional (an initializer of the same name is its default). */
  input(name: string, dims: Dim[], defaultValue?: { data: Float32Array; dims: number[] }): string {
    this.inputs.push(valueInfo(name, dims));
    if (defaultValue) this.weight(name, defaultValue.data, defaultValue.dims);
    return name;
  }

  /** Names `value` as a graph output (an Identity node gives it the public name). */
  output(name: string, value: string, dims: Dim[]): string {
    this.nodes.push({ opType: 'Identity', input: [value], output: [name], name: `${name}/identity` });
    this.outputs.push(valueInfo(name, dims));
    return name;
  }

  /** Adds one node; returns its (first) output name. */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, hint = opType.toLowerCase()): string {
    const out = this.unique(hint);
    this.nodes.push({ opType, input: inputs, output: [out], name: out, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return out;
  }

  private unique(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  /** The encoded ModelProto. */
  encode(graphName: string, docString: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: 'ct-mask-studio',
      docString,
      graph: { name: graphName, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
