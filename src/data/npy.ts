// Minimal NumPy .npy / .npz reader and writer (little-endian, C order; numeric and bool dtypes).
// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
import { unzipSync, zipSync } from 'fflate';
import { InputError } from '../util/errors.ts';
import { reason } from './io.ts';

export type NpyData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

/** A decoded array: `dtype` is numpy's kind+size ('f4', 'i8', 'u1', 'b1', ...); int64/uint64/float16 come back as Float64Array/Float32Array. */
export interface NdArray {
  dtype: string;
  shape: number[];
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Parses one .npy buffer; `name` is used in error messages. */
export function parseNpy(buf: Uint8Array, name: string): NdArray {
  const bad = (why: string): never => {
    throw new InputError(`cannot read ${name}: ${why}`);
  };
  if (buf.length < 10 || MAGIC.some((b, i) => buf[i] !== b)) bad('not a .npy file (bad magic bytes)');
  const major = buf[6];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) bad('truncated header');
    headerLen = dv.getUint32(8, true);
    start = 12;
  } else {
    return bad(`unsupported .npy format version ${major}`);
  }
  if (start + headerLen > buf.length) bad('truncated header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(buf.subarray(start, start + headerLen));
  const descrM = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(header);
  if (!descrM) {
    if (/['"]descr['"]\s*:\s*\[/.test(header)) bad('structured (record) dtypes are not supported');
    bad('header has no dtype (descr)');
  }
  const fortranM = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header);
  if (!fortranM) bad('header has no fortran_order');
  if (fortranM![1] === 'True') bad('Fortran-order arrays are not supported; save with np.ascontiguousarray(a)');
  const shapeM = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header);
  if (!shapeM) bad('header has no shape');
  const shape = shapeM![1]
    .split(',')
    .map((s) => s.trim().replace(/L$/, ''))
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) bad(`bad shape (${shapeM![1]})`);
  const descr = descrM![1];
  const order = descr[0];
  const kind = descr.slice(1);
  const size = Number(kind.slice(1));
  if (!['<', '|', '='].includes(order) && !(order === '>' && size === 1)) {
    bad(order === '>' ? `big-endian dtype ${descr} is not supported; convert with a.astype('<${kind}')` : `unknown dtype ${descr}`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  const nbytes = count * size;
  if (!Number.isFinite(size) || size <= 0) bad(`unknown dtype ${descr}`);
  if (offset + nbytes > buf.length) bad(`truncated data: expected ${nbytes} bytes, found ${buf.length - offset}`);
  const raw = buf.subarray(offset, offset + nbytes);
  // Copy when the data is not aligned for its typed-array view.
  const aligned = raw.byteOffset % size === 0 ? raw : raw.slice();
  const view = <T>(C: new (b: ArrayBufferLike, o: number, n: number) => T): T =>
    new C(aligned.buffer, aligned.byteOffset, count);
  let data: NpyData;
  switch (kind) {
    case 'f4':
      data = view(Float32Array);
      break;
    case 'f8':
      data = view(Float64Array);
      break;
    case 'f2': {
      const h = view(Uint16Array);
      const f = new Float32Array(count);
      for (let i = 0; i < count; i++) f[i] = halfToFloat(h[i]);
      data = f;
      break;
    }
    case 'i1':
      data = view(Int8Array);
      break;
    case 'i2':
      data = view(Int16Array);
      break;
    case 'i4':
      data = view(Int32Array);
      break;
    case 'u1':
    case 'b1':
      data = view(Uint8Array);
      break;
    case 'u2':
      data = view(Uint16Array);
      break;
    case 'u4':
      data = view(Uint32Array);
      break;
    case 'i8':
    case 'u8': {
      const b = kind === 'i8' ? view(BigInt64Array) : view(BigUint64Array);
      const f = new Float64Array(count);
      for (let i = 0; i < count; i++) f[i] = Number(b[i]);
      data = f;
      break;
    }
    default:
      return bad(`unsupported dtype ${descr} (supported: float16/32/64, int8..64, uint8..64, bool)`);
  }
  return { dtype: kind, shape, data };
}

function descrOf(data: NpyData | BigInt64Array, bool: boolean): string {
  if (bool) return '|b1';
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Int8Array) return '|i1';
  if (data instanceof Int16Array) return '<i2';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Uint8Array) return '|u1';
  if (data instanceof Uint16Array) return '<u2';
  if (data instanceof Uint32Array) return '<u4';
  if (data instanceof BigInt64Array) return '<i8';
  throw new TypeError('unsupported typed array');
}

/** Serializes a typed array as .npy (version 1.0, C order). `bool` marks a Uint8Array of 0/1 as dtype bool. */
export function writeNpy(data: NpyData | BigInt64Array, shape: number[], opts: { bool?: boolean } = {}): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`writeNpy: shape [${shape}] needs ${count} values, got ${data.length}`);
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descrOf(data, !!opts.bool)}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/** Parses an .npz (zip of .npy files) into a map from array name (without ".npy") to array. */
export function parseNpz(buf: Uint8Array, name: string): Record<string, NdArray> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(buf);
  } catch (e) {
    throw new InputError(`cannot read ${name}: not a valid .npz/zip file (${reason(e)})`);
  }
  const out: Record<string, NdArray> = {};
  for (const [member, bytes] of Object.entries(files)) {
    if (!member.endsWith('.npy')) continue;
    const key = member.slice(0, -4);
    out[key] = parseNpy(bytes, `${name}[${key}]`);
  }
  return out;
}

/** Builds an .npz buffer from named arrays (uncompressed unless `compress`). */
export function writeNpz(arrays: Record<string, { data: NpyData | BigInt64Array; shape: number[]; bool?: boolean }>, compress = false): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [k, a] of Object.entries(arrays)) files[`${k}.npy`] = writeNpy(a.data, a.shape, { bool: a.bool });
  return zipSync(files, { level: compress ? 6 : 0 });
}
