// Test helpers shared by the safetensors tests: sample tensors of every dtype and the Python interop
// runner (the reference `safetensors` package, when /usr/bin/python3 has it).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { decodeSafetensors, encodeSafetensors, readSafetensors, writeSafetensors, type DType, type StoredTensor } from './safetensors.ts';

/** One tensor of every dtype, plus scalars, empty tensors and awkward names. */
export function sampleTensors(withBf16: boolean): Record<string, StoredTensor> {
  const t: Record<string, StoredTensor> = {
    'f64.mat': { dtype: 'F64', shape: [2, 2], data: new Float64Array([0, -1.5, 1e300, 5e-324]) },
    'f32.vec': { dtype: 'F32', shape: [4], data: new Float32Array([1.5, -2.25, 3.4028234663852886e38, 1.401298464324817e-45]) },
    'f32.scalar': { dtype: 'F32', shape: [], data: new Float32Array([7]) },
    'f32.empty': { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) },
    // 1, -2, 65504 (max), smallest subnormal, NaN
    'f16.bits': { dtype: 'F16', shape: [5], data: new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7e00]) },
    'i64.vec': { dtype: 'I64', shape: [2, 2], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n, 42n]) },
    'i64.empty': { dtype: 'I64', shape: [0], data: new BigInt64Array(0) },
    'i32.vec': { dtype: 'I32', shape: [3], data: new Int32Array([-2147483648, 2147483647, 0]) },
    'i16.vec': { dtype: 'I16', shape: [1, 2], data: new Int16Array([-32768, 32767]) },
    'i8.vec': { dtype: 'I8', shape: [3], data: new Int8Array([-128, 127, 0]) },
    'u8.vec': { dtype: 'U8', shape: [3], data: new Uint8Array([0, 255, 7]) },
    'bool.vec': { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
    'bool.scalar': { dtype: 'BOOL', shape: [], data: new Uint8Array([0]) },
    'layer.0/wëight': { dtype: 'F32', shape: [1, 1, 1], data: new Float32Array([-0]) },
    ['__proto__']: { dtype: 'U8', shape: [1], data: new Uint8Array([9]) },
  };
  if (withBf16) t['bf16.bits'] = { dtype: 'BF16', shape: [2, 2], data: new Uint16Array([0x3f80, 0xc040, 0x7f7f, 0x0001]) };
  return t;
}

export const SAMPLE_METADATA: Record<string, string> = { format: 'pt', note: 'ünïcödé "quoted"\n', empty: '' };

/** Asserts two tensor maps hold the same names, dtypes, shapes and bit-identical data. */
export function assertSameTensors(actual: Record<string, StoredTensor>, expected: Record<string, StoredTensor>): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const [name, e] of Object.entries(expected)) {
    const a = actual[name];
    assert.equal(a.dtype, e.dtype, name);
    assert.deepEqual(a.shape, e.shape, name);
    assert.equal(a.data.constructor, e.data.constructor, name);
    assert.ok(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength)), name);
  }
}

/**
 * Asserts two safetensors images are byte-identical except possibly for the order of the keys inside
 * "__metadata__" (the reference writer keeps metadata in a hash map, so its order varies run to run).
 */
export function assertSameFileBytes(actual: Buffer, expected: Buffer): void {
  assert.equal(actual.length, expected.length, 'file sizes differ');
  const n = Number(expected.readBigUInt64LE(0));
  assert.equal(Number(actual.readBigUInt64LE(0)), n, 'header lengths differ');
  assert.ok(actual.subarray(8 + n).equals(expected.subarray(8 + n)), 'data sections differ');
  const ha = actual.subarray(8, 8 + n).toString('utf8');
  const he = expected.subarray(8, 8 + n).toString('utf8');
  const strip = (h: string) => h.replace(/^\{"__metadata__":\{[^{}]*\},?/, '{');
  assert.equal(strip(ha), strip(he), 'tensor headers differ');
  assert.deepEqual(JSON.parse(ha).__metadata__, JSON.parse(he).__metadata__);
}

const PY_DTYPE: Record<DType, string> = {
  F64: 'float64',
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

function describe(t: StoredTensor): { dtype: string; shape: number[]; values: unknown[] } {
  let values: unknown[];
  if (t.dtype === 'I64') values = Array.from(t.data as BigInt64Array, (v) => v.toString());
  else if (t.dtype === 'BOOL') values = Array.from(t.data as Uint8Array, (v) => v !== 0);
  else values = Array.from(t.data as ArrayLike<number>);
  return { dtype: PY_DTYPE[t.dtype], shape: t.shape, values };
}

const PYTHON = process.env.CWRF_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./fixtures/st_interop.py', import.meta.url));

/** Why the Python interop test for `framework` cannot run here, or undefined when it can. */
export function pythonSkipReason(framework: 'numpy' | 'torch'): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const mod = framework === 'numpy' ? 'safetensors.numpy' : 'safetensors.torch';
  const r = spawnSync(PYTHON, ['-c', `import ${mod}`], { encoding: 'utf8' });
  if (r.status !== 0) return `python package ${mod} not importable by ${PYTHON} (install the 'safetensors' wheel, plus torch for the torch test)`;
  return undefined;
}

/**
 * cwrf writes the samples -> Python loads them (values compared here), Python writes literal tensors
 * -> cwrf reads them, and the reference writer's re-save of our file is byte-identical to ours.
 */
export async function runPythonInterop(dir: string, framework: 'numpy' | 'torch'): Promise<void> {
  const tensors = sampleTensors(framework === 'torch');
  const ours = join(dir, 'ours.safetensors');
  const theirs = join(dir, 'theirs.safetensors');
  const resaved = join(dir, 'resaved.safetensors');
  await writeSafetensors(ours, tensors, SAMPLE_METADATA);
  const r = spawnSync(PYTHON, [SCRIPT, framework, ours, theirs, resaved], { encoding: 'utf8' });
  assert.equal(r.status, 0, `python failed: ${r.stderr}`);
  const seen = JSON.parse(r.stdout) as { metadata: Record<string, string>; tensors: Record<string, unknown> };

  // 1. Python read our file correctly.
  assert.deepEqual(seen.metadata, SAMPLE_METADATA);
  const expected: Record<string, unknown> = {};
  for (const [k, t] of Object.entries(tensors)) {
    Object.defineProperty(expected, k, { value: describe(t), enumerable: true, writable: true, configurable: true });
  }
  assert.deepEqual(seen.tensors, expected);

  // 2. The reference writer produces the same bytes as ours for the same tensors and metadata
  //    (up to the order of the metadata keys, which the reference leaves to a hash map).
  const ourBytes = await fsp.readFile(ours);
  assertSameFileBytes(await fsp.readFile(resaved), ourBytes);
  assert.ok(encodeSafetensors(tensors, SAMPLE_METADATA).equals(ourBytes));

  // 3. We read Python's file correctly.
  const got = await readSafetensors(theirs);
  assert.deepEqual(got.metadata, { format: framework, ünï: 'cödé' });
  const f = got.tensors;
  assert.deepEqual(Object.keys(f).sort(), ['py.bool', 'py.empty', 'py.f16', 'py.f32', 'py.i16', 'py.i64', 'py.i8', 'py.scalar', 'py.u8', ...(framework === 'torch' ? ['py.bf16'] : [])].sort());
  assert.deepEqual(f['py.f32'], { dtype: 'F32', shape: [2, 3], data: new Float32Array([0, 0.5, 1, 1.5, 2, 2.5]) });
  assert.deepEqual(f['py.i64'], { dtype: 'I64', shape: [2], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]) });
  // float16: 1, -2, 65504, 0.1 -> 0x2e66
  assert.deepEqual(f['py.f16'], { dtype: 'F16', shape: [4], data: new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x2e66]) });
  assert.deepEqual(f['py.bool'], { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) });
  assert.deepEqual(f['py.scalar'], { dtype: 'F64', shape: [], data: new Float64Array([2.5]) });
  assert.deepEqual(f['py.empty'], { dtype: 'I32', shape: [0, 2], data: new Int32Array(0) });
  assert.deepEqual(f['py.u8'], { dtype: 'U8', shape: [3], data: new Uint8Array([0, 200, 255]) });
  assert.deepEqual(f['py.i8'], { dtype: 'I8', shape: [2], data: new Int8Array([-128, 127]) });
  assert.deepEqual(f['py.i16'], { dtype: 'I16', shape: [2], data: new Int16Array([-32768, 32767]) });
  if (framework === 'torch') {
    // bfloat16: 1, -3, 0.1 -> 0x3dcd
    assert.deepEqual(f['py.bf16'], { dtype: 'BF16', shape: [3], data: new Uint16Array([0x3f80, 0xc040, 0x3dcd]) });
  }
  // Re-encoding what we read from Python reproduces Python's bytes exactly.
  const theirBytes = await fsp.readFile(theirs);
  assertSameFileBytes(encodeSafetensors(decodeSafetensors(theirBytes).tensors, got.metadata), theirBytes);
}
