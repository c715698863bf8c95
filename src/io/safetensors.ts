// The safetensors format (huggingface/safetensors), read and written without any code execution.
//
// Layout: 8-byte little-endian uint64 N, then N bytes of UTF-8 JSON header
//   { "<name>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }, ...,
//     "__metadata__": { "<key>": "<string>" } }
// then the raw little-endian tensor bytes; offsets are relative to the start of that data section.
//
// Writer (matches the reference writer byte for byte for the dtypes below, checked against python
// safetensors 0.8.0; the reference keeps metadata in a hash map, so only its key order may differ):
// compact JSON, optional "__metadata__" first (keys sorted by UTF-8 bytes), tensors ordered by dtype
// (I64, F64, F32, I32, BF16, F16, I16, I8, U8, BOOL) then by name (UTF-8 byte order), data packed back
// to back, header padded with spaces to a multiple of 8 bytes. The whole file is built in memory and
// read with fs.readFile, so files must fit in a Node Buffer (about 2 GiB).
// Reader: validates like the reference loader (header size, JSON object, known dtypes, shapes,
// offsets inside the data section, byte length = prod(shape) * dtype size, ranges that tile the data
// section exactly with no overlap or hole) and copies each tensor into its own aligned typed array.
//
// F16 and BF16 tensors are exchanged as Uint16Array holding the raw IEEE half / bfloat16 bits;
// halfBitsToFloat32 / float32ToHalfBits convert. BOOL tensors are Uint8Array of 0/1 bytes.
// Data is assumed to be little-endian in memory (every platform Node supports in practice).

import { promises as fsp } from 'node:fs';

import { InputError } from '../util/errors.ts';
import { writeFileAtomic } from './atomic.ts';

/** Element types supported by this reader/writer (safetensors dtype names). */
export type DType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Typed array backing a stored tensor. */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array;

/** One tensor as stored in a safetensors file: row-major `data` with prod(shape) elements. */
export interface StoredTensor {
  dtype: DType;
  shape: number[];
  data: TensorData;
}

/** Decoded file contents. */
export interface SafetensorsContents {
  tensors: Record<string, StoredTensor>;
  metadata: Record<string, string>;
}

/** Largest header the reader accepts (the reference loader's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

interface DTypeInfo {
  size: number;
  /** Typed array constructor the data must be (and is decoded as). */
  array:
    | Float32ArrayConstructor
    | Float64ArrayConstructor
    | Int32ArrayConstructor
    | BigInt64ArrayConstructor
    | Uint8ArrayConstructor
    | Int8ArrayConstructor
    | Int16ArrayConstructor
    | Uint16ArrayConstructor;
  /** Rank in the reference writer's order (higher first). */
  rank: number;
}

const DTYPES: Record<DType, DTypeInfo> = {
  BOOL: { size: 1, array: Uint8Array, rank: 0 },
  U8: { size: 1, array: Uint8Array, rank: 1 },
  I8: { size: 1, array: Int8Array, rank: 2 },
  I16: { size: 2, array: Int16Array, rank: 3 },
  F16: { size: 2, array: Uint16Array, rank: 4 },
  BF16: { size: 2, array: Uint16Array, rank: 5 },
  I32: { size: 4, array: Int32Array, rank: 6 },
  F32: { size: 4, array: Float32Array, rank: 7 },
  F64: { size: 8, array: Float64Array, rank: 8 },
  I64: { size: 8, array: BigInt64Array, rank: 9 },
};

/** Byte size of one element of `dtype`. */
export function dtypeSize(dtype: DType): number {
  return DTYPES[dtype].size;
}

function isDType(s: unknown): s is DType {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, s);
}

function utf8Compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** prod(shape), or Infinity when it is not a safe integer. */
function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return Number.isSafeInteger(n) ? n : Infinity;
}

function isShape(shape: unknown): shape is number[] {
  return Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && d >= 0);
}

function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  // defineProperty so a tensor named "__proto__" is an ordinary entry, never a prototype change.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Serializes tensors (+ optional string metadata) to a safetensors file image. Throws InputError for a
 * bad name, dtype, shape, data type or element count, or a non-string metadata value.
 @internal
 */
export function encodeSafetensors(tensors: Record<string, StoredTensor>, metadata?: Record<string, string>): Buffer {
  const entries = Object.keys(tensors).map((name) => {
    const t = tensors[name];
    const where = `safetensors: tensor '${name}'`;
    if (name === '__metadata__') throw new InputError(`${where}: the name __metadata__ is reserved`);
    if (!t || typeof t !== 'object') throw new InputError(`${where}: not a {dtype, shape, data} object`);
    if (!isDType(t.dtype)) throw new InputError(`${where}: unsupported dtype ${JSON.stringify(t.dtype)}`);
    if (!isShape(t.shape)) throw new InputError(`${where}: shape must be an array of non-negative integers`);
    const info = DTYPES[t.dtype];
    if (!(t.data instanceof info.array)) {
      const got = (t.data as object | undefined)?.constructor?.name ?? typeof t.data;
      throw new InputError(`${where}: dtype ${t.dtype} needs a ${info.array.name}, got ${got}`);
    }
    const n = numel(t.shape);
    if (t.data.length !== n) {
      throw new InputError(`${where}: shape [${t.shape.join(', ')}] has ${n} elements but data has ${t.data.length}`);
    }
    return { name, t, info };
  });
  entries.sort((a, b) => b.info.rank - a.info.rank || utf8Compare(a.name, b.name));

  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object') throw new InputError('safetensors: metadata must be an object of strings');
    const md: Record<string, string> = {};
    for (const k of Object.keys(metadata).sort(utf8Compare)) {
      if (typeof metadata[k] !== 'string') {
        throw new InputError(`safetensors: metadata value for '${k}' must be a string, got ${typeof metadata[k]}`);
      }
      setOwn(md, k, metadata[k]);
    }
    header.__metadata__ = md;
  }
  let offset = 0;
  for (const { name, t } of entries) {
    const end = offset + t.data.byteLength;
    setOwn(header, name, { dtype: t.dtype, shape: t.shape, data_offsets: [offset, end] });
    offset = end;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);

  const out = Buffer.allocUnsafe(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  let pos = 8 + json.length;
  for (const { t } of entries) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}

/**
 * Parses and validates a safetensors file image. Never executes code. Tensor data is copied into
 * fresh, aligned typed arrays (the input may be at any offset). Throws InputError naming
 * `opts.source` (e.g. the file path) for any malformed or inconsistent file.
 */
export function decodeSafetensors(buf: Uint8Array, opts: { source?: string } = {}): SafetensorsContents {
  const src = opts.source ?? 'safetensors data';
  const fail = (msg: string): never => {
    throw new InputError(`${src}: ${msg}`);
  };
  if (buf.byteLength < 8) fail(`not a safetensors file: ${buf.byteLength} bytes, shorter than the 8-byte header length`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) fail(`huge header: length field says ${n64} bytes (limit ${MAX_HEADER_BYTES}); not a safetensors file?`);
  const n = Number(n64);
  if (8 + n > buf.byteLength) fail(`header length ${n} exceeds the file size (${buf.byteLength} bytes): truncated or not a safetensors file`);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + n));
  } catch {
    return fail('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    return fail(`header is not valid JSON (${(err as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('header must be a JSON object');
  const h = header as Record<string, unknown>;

  const dataStart = 8 + n;
  const dataLen = buf.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const ranges: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];

  for (const name of Object.keys(h)) {
    const v = h[name];
    if (name === '__metadata__') {
      if (v === null) continue;
      if (typeof v !== 'object' || Array.isArray(v)) fail('__metadata__ must be an object of strings');
      for (const [k, mv] of Object.entries(v as Record<string, unknown>)) {
        if (typeof mv !== 'string') fail(`__metadata__ value for '${k}' must be a string, got ${mv === null ? 'null' : typeof mv}`);
        setOwn(metadata, k, mv as string);
      }
      continue;
    }
    const where = `tensor '${name}'`;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(`${where}: entry must be an object`);
    const e = v as Record<string, unknown>;
    if (!isDType(e.dtype)) {
      fail(`${where}: unknown or unsupported dtype ${JSON.stringify(e.dtype)} (supported: ${Object.keys(DTYPES).join(', ')})`);
    }
    const dtype = e.dtype as DType;
    if (!isShape(e.shape)) fail(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(e.shape)}`);
    const shape = e.shape as number[];
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && x >= 0)) {
      fail(`${where}: data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    if (end < begin) fail(`${where}: data_offsets [${begin}, ${end}] end before begin`);
    if (end > dataLen) fail(`${where}: data_offsets [${begin}, ${end}] run past the data section (${dataLen} bytes): truncated file?`);
    const want = numel(shape) * DTYPES[dtype].size;
    if (end - begin !== want) {
      fail(`header lies: ${where} is ${dtype} [${shape.join(', ')}] = ${want} bytes but data_offsets span ${end - begin}`);
    }
    ranges.push({ name, dtype, shape, begin, end });
  }

  // The ranges must tile [0, dataLen) exactly: no overlap, no hole, no trailing bytes.
  const sorted = [...ranges].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const r of sorted) {
    if (r.begin < covered) fail(`tensor '${r.name}': data_offsets [${r.begin}, ${r.end}] overlap another tensor`);
    if (r.begin > covered) fail(`tensor '${r.name}': hole in the data section before offset ${r.begin} (bytes ${covered}..${r.begin} unused)`);
    covered = r.end;
  }
  if (covered !== dataLen) fail(`data section has ${dataLen - covered} unused trailing bytes (tensors cover ${covered} of ${dataLen})`);

  const tensors: Record<string, StoredTensor> = {};
  for (const r of ranges) {
    const info = DTYPES[r.dtype];
    const bytes = new Uint8Array(r.end - r.begin);
    bytes.set(buf.subarray(dataStart + r.begin, dataStart + r.end));
    const data = new info.array(bytes.buffer, 0, (r.end - r.begin) / info.size);
    setOwn(tensors, r.name, { dtype: r.dtype, shape: r.shape, data });
  }
  return { tensors, metadata };
}

/** Writes tensors (+ metadata) to `path` as a safetensors file, atomically (temp file + rename). */
export async function writeSafetensors(
  path: string,
  tensors: Record<string, StoredTensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/** Reads and validates a safetensors file; errors name `path`. */
export async function readSafetensors(path: string): Promise<SafetensorsContents> {
  let buf: Buffer;
  try {
    buf = await fsp.readFile(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' || e.code === 'EISDIR' || e.code === 'EACCES') throw new InputError(`${path}: cannot read safetensors file (${e.code})`);
    throw err;
  }
  return decodeSafetensors(buf, { source: path });
}

// ---- F16 / BF16 helpers ----

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function floatToHalf(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow -> Inf
  if (e <= 0) {
    // Subnormal half (or zero): shift the full mantissa, round to nearest even.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rem > mid || (rem === mid && half & 1) ? 1 : 0));
  }
  const rem = mant & 0x1fff;
  let h = (e << 10) | (mant >>> 13);
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h += 1; // may carry into the exponent: still correct
  return sign | h;
}

function bf16ToFloat(h: number): number {
  u32[0] = h << 16;
  return f32[0];
}

function floatToBf16(x: number): number {
  f32[0] = x;
  const b = u32[0];
  if ((b & 0x7fffffff) > 0x7f800000) return ((b >>> 16) | 0x40) & 0xffff; // quiet NaN
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff; // round to nearest even
}

/** Converts raw F16 or BF16 bits to float32 values. */
export function halfBitsToFloat32(dtype: 'F16' | 'BF16', bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const conv = dtype === 'F16' ? halfToFloat : bf16ToFloat;
  for (let i = 0; i < bits.length; i++) out[i] = conv(bits[i]);
  return out;
}

/** Converts float values to raw F16 or BF16 bits (round to nearest even; overflow to infinity). */
export function float32ToHalfBits(dtype: 'F16' | 'BF16', values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  const conv = dtype === 'F16' ? floatToHalf : floatToBf16;
  for (let i = 0; i < values.length; i++) out[i] = conv(values[i]);
  return out;
}
