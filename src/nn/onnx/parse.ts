// ONNX model files -> typed graphs (and back), through protobufjs with the vendored onnx.proto schema.
// Safety: size and node-count limits, external data only inside the model's folder, standard domains only.
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { DType, TypedArray } from '../../engine/index.ts';
import { InputError } from '../../util/errors.ts';

/** A constant tensor of the graph (an initializer, a Constant node's value or an attribute). */
export interface OnnxTensor {
  name: string;
  dtype: DType;
  dims: number[];
  data: TypedArray;
}

export interface OnnxAttribute {
  name: string;
  f?: number;
  i?: number;
  s?: string;
  t?: OnnxTensor;
  floats?: number[];
  ints?: number[];
  strings?: string[];
}

export interface OnnxNode {
  /** The node's name, or `#<index> <op type>` when it has none. */
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

/** A graph input or output: element type and dims (a string for a symbolic dim, null when unknown). */
export interface OnnxValueInfo {
  name: string;
  elemType: number;
  dims: (number | string | null)[] | null;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  /** Graph inputs that are not initializers. */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  /** Where it was read from ('' for bytes). */
  path: string;
  sha256: string;
  irVersion: number;
  /** Opset version per domain ('' is the default ONNX domain). */
  opsets: Map<string, number>;
  producer: string;
  graph: OnnxGraph;
  /** The decoded protobuf message, kept to write the same graph back with new initializer values. */
  proto: ModelMessage;
}

/** Limits on what is read (overridable through CWRF_ONNX_MAX_BYTES / CWRF_ONNX_MAX_NODES). */
export interface OnnxLimits {
  maxBytes: number;
  maxNodes: number;
}

export function defaultLimits(): OnnxLimits {
  const env = (k: string, d: number) => {
    const v = process.env[k];
    if (v === undefined || v === '') return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InputError(`${k} must be a positive integer, got '${v}'`);
    return n;
  };
  return { maxBytes: env('CWRF_ONNX_MAX_BYTES', 2 ** 31 - 1), maxNodes: env('CWRF_ONNX_MAX_NODES', 100_000) };
}

const PROTO = fileURLToPath(new URL('./onnx.proto', import.meta.url));
let root: protobuf.Root | null = null;
function modelType(): protobuf.Type {
  root ??= protobuf.loadSync(PROTO);
  return root.lookupType('onnx.ModelProto');
}

/** ONNX TensorProto.DataType -> engine dtype (the types cwrf computes with). */
const ELEM: Record<number, DType> = { 1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 11: 'float64' };
const ELEM_NAME: Record<number, string> = { 4: 'uint16', 8: 'string', 10: 'float16', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16' };
/** Engine dtype -> ONNX element type. */
export const ONNX_ELEM: Partial<Record<DType, number>> = { float32: 1, uint8: 2, int8: 3, int16: 5, int32: 6, int64: 7, bool: 9, float64: 11 };

export function elemDType(t: number, what: string): DType {
  const d = ELEM[t];
  if (!d) throw new InputError(`${what}: element type ${ELEM_NAME[t] ?? t} is not supported (float32, float64, int8-64, uint8, bool)`);
  return d;
}

type Long = { toNumber(): number };
function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as Long).toNumber === 'function') return (v as Long).toNumber();
  return Number(v ?? 0);
}

/** Reads and decodes an ONNX file: one-line InputErrors for anything missing, too large, truncated or unsafe. */
export function readOnnx(path: string, limits: OnnxLimits = defaultLimits()): OnnxModel {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new InputError(`${path}: not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read ONNX model ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (size > limits.maxBytes) throw new InputError(`${path}: ${size} bytes is over the ONNX size limit of ${limits.maxBytes} (CWRF_ONNX_MAX_BYTES)`);
  return decodeOnnx(readFileSync(path), path, limits);
}

/** Decodes ONNX bytes; `path` names the file in errors and anchors external data. */
export function decodeOnnx(bytes: Uint8Array, path: string, limits: OnnxLimits = defaultLimits()): OnnxModel {
  if (bytes.length > limits.maxBytes) throw new InputError(`${path}: ${bytes.length} bytes is over the ONNX size limit of ${limits.maxBytes}`);
  let msg: protobuf.Message;
  try {
    msg = modelType().decode(bytes);
  } catch (e) {
    throw new InputError(`${path}: not a valid ONNX model (truncated or malformed protobuf: ${(e as Error).message})`);
  }
  if (!isModelMessage(msg)) throw new InputError(`${path}: not an ONNX model`);
  const m = msg;
  if (!m.graph) throw new InputError(`${path}: not an ONNX model (no graph)`);
  if (!m.opsetImport?.length) throw new InputError(`${path}: not an ONNX model (no opset_import)`);
  const opsets = new Map<string, number>();
  for (const o of m.opsetImport) opsets.set(o.domain === 'ai.onnx' ? '' : (o.domain ?? ''), num(o.version));
  const g = m.graph;
  const nodes = g.node ?? [];
  if (nodes.length > limits.maxNodes)
    throw new InputError(`${path}: ${nodes.length} nodes is over the ONNX node limit of ${limits.maxNodes} (CWRF_ONNX_MAX_NODES)`);
  if (m.functions?.length) throw new InputError(`${path}: model-local functions are not supported (${m.functions.map((f) => f.name).join(', ')})`);
  if (g.sparseInitializer?.length) throw new InputError(`${path}: sparse initializers are not supported`);
  const dir = path ? dirname(resolve(path)) : null;
  const initializers = (g.initializer ?? []).map((t) => tensorOf(t, `${path}: initializer '${t.name}'`, dir, limits));
  const initNames = new Set(initializers.map((t) => t.name));
  const parsedNodes = nodes.map((n, i): OnnxNode => {
    const name = n.name || `#${i} ${n.opType}`;
    const attributes = new Map<string, OnnxAttribute>();
    for (const a of n.attribute ?? []) attributes.set(a.name, attributeOf(a, `${path}: node '${name}' attribute '${a.name}'`, dir, limits));
    return { name, opType: n.opType ?? '', domain: n.domain === 'ai.onnx' ? '' : (n.domain ?? ''), inputs: n.input ?? [], outputs: n.output ?? [], attributes };
  });
  return {
    path,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    irVersion: num(m.irVersion),
    opsets,
    producer: [m.producerName, m.producerVersion].filter(Boolean).join(' '),
    graph: {
      nodes: parsedNodes,
      initializers,
      inputs: (g.input ?? []).filter((v) => !initNames.has(v.name)).map(valueInfoOf),
      outputs: (g.output ?? []).map(valueInfoOf),
    },
    proto: msg,
  };
}

/**
 * Encodes `model`'s graph with the initializers in `values` replaced (inline data; other fields as read).
 * `inference`: BatchNormalization and Dropout nodes of a training-mode export switch to inference mode.
 */
export function encodeOnnx(model: OnnxModel, values: Map<string, OnnxTensor>, opts: { inference?: boolean } = {}): Uint8Array {
  const m = model.proto;
  if (opts.inference) toInference(m);
  for (const t of m.graph!.initializer ?? []) {
    const v = values.get(t.name);
    if (!v) continue;
    if (v.dims.join(',') !== (t.dims ?? []).map(num).join(',')) throw new InputError(`initializer '${t.name}': shape [${v.dims}] does not match the graph's`);
    const b = v.data;
    t.dataType = ONNX_ELEM[v.dtype]!;
    t.rawData = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    for (const k of ['floatData', 'int32Data', 'int64Data', 'doubleData', 'uint64Data', 'externalData'] as const) t[k] = [];
    t.dataLocation = 0;
  }
  return modelType().encode(model.proto).finish();
}

/** Training-mode BatchNormalization -> inference mode (running-stat outputs dropped); Dropout's training flag removed. */
function toInference(m: ProtoModel): void {
  const g = m.graph!;
  const used = new Set([...(g.node ?? []).flatMap((n) => n.input ?? []), ...(g.output ?? []).map((o) => o.name)]);
  for (const n of g.node ?? []) {
    if (n.domain && n.domain !== 'ai.onnx') continue;
    if (n.opType === 'BatchNormalization') {
      const a = (n.attribute ?? []).find((x) => x.name === 'training_mode');
      if (a && num(a.i) === 1) {
        a.i = 0;
        const extra = (n.output ?? []).slice(1).filter((o) => o && used.has(o));
        if (extra.length) throw new InputError(`node '${n.name}': its running statistics '${extra.join("', '")}' are used in the graph`);
        n.output = (n.output ?? []).slice(0, 1);
      }
    } else if (n.opType === 'Dropout' && (n.input ?? []).length > 2) {
      n.input = (n.input ?? []).slice(0, 2);
    }
  }
}

// ---- protobuf message shapes (the fields cwrf reads; protobufjs names them in camelCase)

interface ProtoTensor {
  name: string;
  dims?: unknown[];
  dataType?: number;
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: unknown[];
  doubleData?: number[];
  uint64Data?: unknown[];
  externalData?: { key: string; value: string }[];
  dataLocation?: number;
}
interface ProtoAttribute {
  name: string;
  type?: number;
  f?: number;
  i?: unknown;
  s?: Uint8Array;
  t?: ProtoTensor;
  g?: unknown;
  floats?: number[];
  ints?: unknown[];
  strings?: Uint8Array[];
  graphs?: unknown[];
}
interface ProtoValueInfo {
  name: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: { dimValue?: unknown; dimParam?: string }[] } } };
}
/** A decoded message of type onnx.ModelProto, read through ProtoModel's fields. */
type ModelMessage = protobuf.Message & ProtoModel;

function isModelMessage(m: protobuf.Message): m is ModelMessage {
  return m.$type.fullName === '.onnx.ModelProto';
}

interface ProtoModel {
  irVersion?: unknown;
  producerName?: string;
  producerVersion?: string;
  opsetImport?: { domain?: string; version?: unknown }[];
  functions?: { name: string }[];
  graph?: {
    node?: { name?: string; opType?: string; domain?: string; input?: string[]; output?: string[]; attribute?: ProtoAttribute[] }[];
    initializer?: ProtoTensor[];
    sparseInitializer?: unknown[];
    input?: ProtoValueInfo[];
    output?: ProtoValueInfo[];
  };
}

function valueInfoOf(v: ProtoValueInfo): OnnxValueInfo {
  const tt = v.type?.tensorType;
  const dims = tt?.shape?.dim ? tt.shape.dim.map((d) => (d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null ? num(d.dimValue) : null)) : null;
  return { name: v.name, elemType: tt?.elemType ?? 0, dims };
}

const decoder = new TextDecoder();
function attributeOf(a: ProtoAttribute, what: string, dir: string | null, limits: OnnxLimits): OnnxAttribute {
  const out: OnnxAttribute = { name: a.name };
  switch (a.type) {
    case 1: out.f = a.f ?? 0; break;
    case 2: out.i = num(a.i); break;
    case 3: out.s = decoder.decode(a.s ?? new Uint8Array()); break;
    case 4: out.t = tensorOf(a.t!, what, dir, limits); break;
    case 6: out.floats = a.floats ?? []; break;
    case 7: out.ints = (a.ints ?? []).map(num); break;
    case 8: out.strings = (a.strings ?? []).map((s) => decoder.decode(s)); break;
    case 5: case 10: throw new InputError(`${what}: sub-graphs (If/Loop/Scan) are not supported`);
    default: throw new InputError(`${what}: attribute type ${a.type} is not supported`);
  }
  return out;
}

const BYTES: Record<string, number> = { float32: 4, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1 };

function tensorOf(t: ProtoTensor, what: string, dir: string | null, limits: OnnxLimits): OnnxTensor {
  const dtype = elemDType(t.dataType ?? 0, what);
  const dims = (t.dims ?? []).map(num);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new InputError(`${what}: bad dims [${dims}]`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count * BYTES[dtype] > limits.maxBytes) throw new InputError(`${what}: [${dims}] is over the size limit`);
  let raw: Uint8Array | null = t.rawData && t.rawData.length ? t.rawData : null;
  if (t.dataLocation === 1) raw = externalBytes(t, what, dir);
  let data: TypedArray;
  if (raw) {
    if (raw.length !== count * BYTES[dtype]) throw new InputError(`${what}: ${raw.length} data bytes for [${dims}] ${dtype} (expected ${count * BYTES[dtype]})`);
    const copy = new Uint8Array(raw); // aligned copy
    data = fromBytes(copy.buffer, dtype);
  } else {
    const src: ArrayLike<unknown> =
      dtype === 'float32' ? (t.floatData ?? []) : dtype === 'float64' ? (t.doubleData ?? []) : dtype === 'int64' ? (t.int64Data ?? []) : (t.int32Data ?? []);
    if (src.length !== count) throw new InputError(`${what}: ${src.length} values for [${dims}] (expected ${count})`);
    data = typedFrom(dtype, count);
    for (let i = 0; i < count; i++) {
      if (data instanceof BigInt64Array) data[i] = BigInt(String(src[i] as number));
      else data[i] = num(src[i]);
    }
  }
  return { name: t.name, dtype, dims, data };
}

function typedFrom(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int64': return new BigInt64Array(n);
    case 'int32': return new Int32Array(n);
    case 'int16': return new Int16Array(n);
    case 'int8': return new Int8Array(n);
    default: return new Uint8Array(n);
  }
}
function fromBytes(buf: ArrayBuffer, dtype: DType): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(buf);
    case 'float64': return new Float64Array(buf);
    case 'int64': return new BigInt64Array(buf);
    case 'int32': return new Int32Array(buf);
    case 'int16': return new Int16Array(buf);
    case 'int8': return new Int8Array(buf);
    default: return new Uint8Array(buf);
  }
}

/** External data: a file inside the model's folder (after resolving links), at offset/length. */
function externalBytes(t: ProtoTensor, what: string, dir: string | null): Uint8Array {
  if (!dir) throw new InputError(`${what}: external data needs the model's file path`);
  const kv = new Map((t.externalData ?? []).map((e) => [e.key, e.value]));
  const loc = kv.get('location');
  if (!loc) throw new InputError(`${what}: external data without a location`);
  if (isAbsolute(loc)) throw new InputError(`${what}: external data location '${loc}' must be relative to the model's folder`);
  let real: string;
  let realDir: string;
  try {
    realDir = realpathSync(dir);
    real = realpathSync(join(dir, loc));
  } catch {
    throw new InputError(`${what}: external data file '${loc}' not found next to the model`);
  }
  const rel = relative(realDir, real);
  if (rel.startsWith('..') || isAbsolute(rel) || rel.split(sep)[0] === '..')
    throw new InputError(`${what}: external data location '${loc}' is outside the model's folder`);
  const offset = Number(kv.get('offset') ?? 0);
  const all = readFileSync(real);
  const length = kv.has('length') ? Number(kv.get('length')) : all.length - offset;
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > all.length)
    throw new InputError(`${what}: external data range ${offset}+${length} is outside '${loc}' (${all.length} bytes)`);
  return all.subarray(offset, offset + length);
}
