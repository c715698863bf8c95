import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { InputError } from '../util/errors.ts';
import { withTempDir } from './atomic.ts';
import {
  decodeSafetensors,
  encodeSafetensors,
  float32ToHalfBits,
  halfBitsToFloat32,
  readSafetensors,
  writeSafetensors,
  type StoredTensor,
} from './safetensors.ts';
import { assertSameTensors, pythonSkipReason, runPythonInterop, sampleTensors, SAMPLE_METADATA } from './safetensors.samples.ts';

/** A raw file: 8-byte length (default: the header's length), header text, data bytes. */
function raw(header: unknown, data: Uint8Array | number = 0, headerLen?: bigint): Buffer {
  const h = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(headerLen ?? BigInt(h.length));
  return Buffer.concat([len, h, typeof data === 'number' ? Buffer.alloc(data) : data]);
}

function rejects(buf: Uint8Array, re: RegExp): void {
  assert.throws(
    () => decodeSafetensors(buf, { source: 'bad.safetensors' }),
    (err: unknown) => {
      assert.ok(err instanceof InputError, `not an InputError: ${String(err)}`);
      assert.match(err.message, /^bad\.safetensors: /);
      assert.match(err.message, re);
      assert.ok(!err.message.includes('\n'), 'one-line message');
      return true;
    },
  );
}

const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

describe('safetensors round trip', () => {
  test('every dtype, scalars, empty tensors, metadata', () => {
    const tensors = sampleTensors(true);
    const buf = encodeSafetensors(tensors, SAMPLE_METADATA);
    const { tensors: back, metadata } = decodeSafetensors(buf);
    assertSameTensors(back, tensors);
    assert.deepEqual(metadata, SAMPLE_METADATA);
    assert.ok(Object.prototype.hasOwnProperty.call(back, '__proto__'));
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
  });

  test('layout matches the reference writer: padding, order, compact JSON', () => {
    // Bytes the reference (python safetensors 0.8.0) writes for save({}): header "{}" + 6 spaces.
    assert.deepEqual([...encodeSafetensors({})], [8, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d, 32, 32, 32, 32, 32, 32]);
    const buf = encodeSafetensors(sampleTensors(true), { k: 'v' });
    const n = Number(buf.readBigUInt64LE(0));
    assert.equal(n % 8, 0);
    const header = buf.subarray(8, 8 + n).toString('utf8');
    assert.match(header, /^\{"__metadata__":\{"k":"v"\},"i64\.empty":\{"dtype":"I64","shape":\[0\],"data_offsets":\[0,0\]\},/);
    const order = Object.keys(JSON.parse(header)).filter((k) => k !== '__metadata__');
    assert.deepEqual(order, [
      'i64.empty', 'i64.vec', 'f64.mat', 'f32.empty', 'f32.scalar', 'f32.vec', 'layer.0/wëight', 'i32.vec',
      'bf16.bits', 'f16.bits', 'i16.vec', 'i8.vec', '__proto__', 'u8.vec', 'bool.scalar', 'bool.vec',
    ]);
    assert.ok(/ *$/.test(header) && !header.trimEnd().includes(' '));
  });

  test('decoding from an unaligned view copies into aligned, independent arrays', () => {
    const t = { w: { dtype: 'F64', shape: [3], data: new Float64Array([1, 2, 3]) } } satisfies Record<string, StoredTensor>;
    const enc = encodeSafetensors(t);
    const backing = new Uint8Array(enc.length + 3);
    backing.set(enc, 3);
    const view = backing.subarray(3);
    const { tensors } = decodeSafetensors(view);
    const d = tensors.w.data as Float64Array;
    assert.deepEqual([...d], [1, 2, 3]);
    assert.equal(d.byteOffset % 8, 0);
    backing.fill(0);
    assert.deepEqual([...d], [1, 2, 3]);
  });

  test('writeSafetensors / readSafetensors use files; errors name the file', async () => {
    await withTempDir(async (dir) => {
      const p = join(dir, 'm.safetensors');
      await writeSafetensors(p, sampleTensors(true), { a: 'b' });
      const got = await readSafetensors(p);
      assertSameTensors(got.tensors, sampleTensors(true));
      assert.deepEqual(got.metadata, { a: 'b' });
      assert.deepEqual(await fsp.readdir(dir), ['m.safetensors']);
      const bytes = await fsp.readFile(p);
      await fsp.writeFile(p, bytes.subarray(0, bytes.length - 1));
      await assert.rejects(readSafetensors(p), (e: unknown) => e instanceof InputError && e.message.startsWith(`${p}: `) && /past the data section/.test(e.message));
      await assert.rejects(readSafetensors(join(dir, 'missing.safetensors')), (e: unknown) => e instanceof InputError && /ENOENT/.test(e.message));
    });
  });

  test('encode rejects bad input with InputError', () => {
    const bad = (t: Record<string, unknown>, re: RegExp, md?: Record<string, unknown>) =>
      assert.throws(() => encodeSafetensors(t as Record<string, StoredTensor>, md as Record<string, string>), (e: unknown) => e instanceof InputError && re.test(e.message));
    bad({ x: { dtype: 'F32', shape: [2], data: new Float64Array(2) } }, /F32 needs a Float32Array, got Float64Array/);
    bad({ x: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } }, /has 4 elements but data has 3/);
    bad({ x: { dtype: 'C64', shape: [1], data: new Float32Array(2) } }, /unsupported dtype "C64"/);
    bad({ x: { dtype: 'F32', shape: [-1], data: new Float32Array(0) } }, /shape must be/);
    bad({ x: { dtype: 'F16', shape: [1], data: new Float32Array(1) } }, /F16 needs a Uint16Array/);
    bad({ __metadata__: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } }, /reserved/);
    bad({}, /must be a string/, { k: 1 });
  });
});

describe('safetensors corruption', () => {
  const good = encodeSafetensors({ a: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } });

  test('file shorter than 8 bytes', () => {
    rejects(new Uint8Array(0), /0 bytes, shorter than the 8-byte header length/);
    rejects(good.subarray(0, 7), /7 bytes, shorter/);
  });

  test('huge or impossible header length', () => {
    rejects(raw('{}', 0, 2n ** 40n), /huge header/);
    rejects(raw('{}', 0, 2n ** 64n - 1n), /huge header/);
    rejects(raw('{}', 0, 100_000_001n), /huge header/);
    rejects(raw('{}', 0, 1000n), /header length 1000 exceeds the file size \(10 bytes\)/);
  });

  test('truncated file', () => {
    rejects(good.subarray(0, good.length - 1), /data_offsets \[0, 8\] run past the data section \(7 bytes\)/);
    rejects(good.subarray(0, 20), /exceeds the file size/);
  });

  test('header not JSON, not an object, not UTF-8', () => {
    rejects(raw('{"a": '), /header is not valid JSON/);
    rejects(raw('[1, 2]'), /must be a JSON object/);
    rejects(raw('null    '), /must be a JSON object/);
    rejects(Buffer.from([4, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0xff, 0xfe, 0x7d]), /header is not valid UTF-8/);
    rejects(raw({ a: [1] }), /tensor 'a': entry must be an object/);
  });

  test('unknown dtype', () => {
    rejects(raw({ a: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, 1), /tensor 'a': unknown or unsupported dtype "F8_E4M3"/);
    rejects(raw({ a: { shape: [1], data_offsets: [0, 1] } }, 1), /unsupported dtype undefined/);
  });

  test('bad shapes and offsets', () => {
    rejects(raw({ a: f32([-1], 0, 0) }), /shape must be an array of non-negative integers/);
    rejects(raw({ a: f32([1.5], 0, 0) }), /shape must be/);
    rejects(raw({ a: { dtype: 'F32', shape: '4', data_offsets: [0, 4] } }, 4), /shape must be/);
    rejects(raw({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, 4), /data_offsets must be \[begin, end\]/);
    rejects(raw({ a: { dtype: 'F32', shape: [1], data_offsets: [0, '4'] } }, 4), /data_offsets must be/);
    rejects(raw({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 2 ** 60] } }, 4), /data_offsets must be/);
    rejects(raw({ a: f32([0], 4, 0) }, 4), /end before begin/);
    rejects(raw({ a: f32([1], 0, 4) }, 2), /run past the data section \(2 bytes\)/);
  });

  test('header lies about the byte length (wrong dtype size, wrong shape)', () => {
    rejects(raw({ a: f32([2], 0, 4) }, 4), /header lies: tensor 'a' is F32 \[2\] = 8 bytes but data_offsets span 4/);
    rejects(raw({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 4] } }, 4), /header lies: .* I64 \[1\] = 8 bytes/);
    rejects(raw({ a: { dtype: 'F16', shape: [3], data_offsets: [0, 12] } }, 12), /header lies/);
    rejects(raw({ a: f32([2 ** 30, 2 ** 30, 2 ** 30], 0, 4) }, 4), /header lies/);
  });

  test('overlapping ranges, holes, trailing bytes', () => {
    rejects(raw({ a: f32([1], 0, 4), b: f32([1], 0, 4) }, 4), /overlap another tensor/);
    rejects(raw({ a: f32([2], 0, 8), b: f32([1], 4, 8) }, 8), /overlap/);
    rejects(raw({ a: f32([1], 0, 4), b: f32([1], 8, 12) }, 12), /tensor 'b': hole in the data section before offset 8/);
    rejects(raw({ a: f32([1], 4, 8) }, 8), /hole/);
    rejects(raw({ a: f32([1], 0, 4) }, 8), /4 unused trailing bytes/);
    rejects(raw({}, 3), /3 unused trailing bytes/);
    // Valid although out of order in the header (and zero-length tensors anywhere).
    const ok = decodeSafetensors(raw({ b: f32([1], 4, 8), e: f32([0], 4, 4), a: f32([1], 0, 4) }, new Uint8Array([0, 0, 128, 63, 0, 0, 0, 64])));
    assert.deepEqual([...(ok.tensors.a.data as Float32Array), ...(ok.tensors.b.data as Float32Array)], [1, 2]);
  });

  test('metadata must map strings to strings', () => {
    rejects(raw({ __metadata__: { k: 1 } }), /__metadata__ value for 'k' must be a string, got number/);
    rejects(raw({ __metadata__: { k: null } }), /got null/);
    rejects(raw({ __metadata__: ['x'] }), /__metadata__ must be an object/);
    assert.deepEqual(decodeSafetensors(raw({ __metadata__: null })).metadata, {});
  });
});

describe('F16 / BF16 helpers', () => {
  test('every finite F16 bit pattern survives float32 and back', () => {
    const bits = new Uint16Array(65536).map((_, i) => i);
    const back = float32ToHalfBits('F16', halfBitsToFloat32('F16', bits));
    for (let i = 0; i < 65536; i++) {
      if ((i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0) assert.ok(Number.isNaN(halfBitsToFloat32('F16', new Uint16Array([back[i]]))[0]));
      else assert.equal(back[i], i);
    }
  });

  test('known conversions and rounding', () => {
    assert.deepEqual([...float32ToHalfBits('F16', [1, -2, 65504, 0.1, 65520, 1e-8, 2 ** -24, 2 ** -25, 3 * 2 ** -25, -0])], [0x3c00, 0xc000, 0x7bff, 0x2e66, 0x7c00, 0, 1, 0, 2, 0x8000]);
    assert.deepEqual([...float32ToHalfBits('BF16', [1, -3, 0.1, Infinity, 1 + 2 ** -8, 1 + 3 * 2 ** -8])], [0x3f80, 0xc040, 0x3dcd, 0x7f80, 0x3f80, 0x3f82]);
    assert.ok(Number.isNaN(halfBitsToFloat32('BF16', float32ToHalfBits('BF16', [NaN]))[0]));
    assert.deepEqual([...halfBitsToFloat32('BF16', new Uint16Array([0x3f80, 0xc040, 0x7f80]))], [1, -3, Infinity]);
  });
});

describe('safetensors interop with the Python reference implementation', () => {
  const numpySkip = pythonSkipReason('numpy');
  test('python safetensors.numpy reads our files, we read its files, identical bytes', { skip: numpySkip }, async () => {
    await withTempDir((dir) => runPythonInterop(dir, 'numpy'));
  });
  // The torch variant (adds BF16) is in safetensors.interop.slow.test.ts: importing torch takes seconds.
});
