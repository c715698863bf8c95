// NPY/NPZ reader and writer; npy: and npz: dataset specs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { loadDataset, parseNpy, parseNpz, writeNpy, writeNpz, type NpyData } from './index.ts';
import { expectInputError, tempDir } from './test-helpers.ts';

let tmp: ReturnType<typeof tempDir>;
before(() => {
  tmp = tempDir();
});
after(() => tmp.cleanup());

/** Hand-built .npy with an arbitrary header (for dtypes/orders the writer does not produce). */
function rawNpy(header: string, payload: Uint8Array): Uint8Array {
  let h = header;
  h += ' '.repeat((64 - ((10 + h.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + h.length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, h.length, true);
  for (let i = 0; i < h.length; i++) out[10 + i] = h.charCodeAt(i);
  out.set(payload, 10 + h.length);
  return out;
}

test('npy round-trips float32/float64/int8/16/32/uint8/16/32/bool/int64', () => {
  const cases: [NpyData | BigInt64Array, string, boolean?][] = [
    [Float32Array.from([1.5, -2, 3.25, 0, 1e-3, 7]), 'f4'],
    [Float64Array.from([1.5, -2, Math.PI, 0, 1e300, 7]), 'f8'],
    [Int8Array.from([-128, 127, 0, 1, 2, 3]), 'i1'],
    [Int16Array.from([-3000, 3000, 0, 1, 2, 3]), 'i2'],
    [Int32Array.from([-7, 2 ** 31 - 1, 0, 1, 2, 3]), 'i4'],
    [Uint8Array.from([0, 255, 1, 2, 3, 4]), 'u1'],
    [Uint16Array.from([0, 65535, 1, 2, 3, 4]), 'u2'],
    [Uint32Array.from([0, 2 ** 32 - 1, 1, 2, 3, 4]), 'u4'],
    [Uint8Array.from([0, 1, 1, 0, 1, 0]), 'b1', true],
  ];
  for (const [data, dtype, bool] of cases) {
    const a = parseNpy(writeNpy(data, [2, 3], { bool }), 'x.npy');
    assert.equal(a.dtype, dtype);
    assert.deepEqual(a.shape, [2, 3]);
    assert.deepEqual([...a.data], [...data]);
  }
  const big = parseNpy(writeNpy(BigInt64Array.from([-5n, 0n, 9007199254740991n]), [3]), 'y.npy');
  assert.equal(big.dtype, 'i8');
  assert.deepEqual([...big.data], [-5, 0, 9007199254740991]);
  // 1-D and 0-d shapes.
  assert.deepEqual(parseNpy(writeNpy(Float32Array.from([1]), [1]), 'z').shape, [1]);
  assert.deepEqual(parseNpy(writeNpy(Float32Array.from([4]), []), 'z').shape, []);
  // float16
  const half = parseNpy(rawNpy("{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3800]).buffer)), 'h');
  assert.deepEqual([...half.data], [1, -2, 0.5]);
});

test('npy rejects Fortran order, big-endian, structured dtypes, truncation, garbage', async () => {
  const payload = new Uint8Array(16);
  await expectInputError(() => parseNpy(rawNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", payload), 'f.npy'), 'cannot read f.npy', 'Fortran-order');
  await expectInputError(() => parseNpy(rawNpy("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", payload), 'b.npy'), 'cannot read b.npy', 'big-endian dtype >f4');
  await expectInputError(() => parseNpy(rawNpy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4,), }", payload), 's.npy'), 'structured');
  await expectInputError(() => parseNpy(rawNpy("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", payload), 'c.npy'), 'unsupported dtype <c8');
  await expectInputError(() => parseNpy(writeNpy(new Float32Array(8), [8]).subarray(0, 150), 't.npy'), 'truncated data');
  await expectInputError(() => parseNpy(new TextEncoder().encode('hello, world'), 'g.npy'), 'not a .npy file');
  // big-endian single-byte types are fine
  assert.deepEqual([...parseNpy(rawNpy("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", Uint8Array.from([3, 4])), 'u').data], [3, 4]);
});

test('npz round-trip (stored and deflated) and corrupt zip', async () => {
  for (const compress of [false, true]) {
    const z = writeNpz({ x: { data: Float32Array.from([1, 2, 3, 4]), shape: [2, 2] }, y: { data: Int32Array.from([0, 1]), shape: [2] } }, compress);
    const arrays = parseNpz(z, 'a.npz');
    assert.deepEqual(Object.keys(arrays).sort(), ['x', 'y']);
    assert.deepEqual([...arrays.x.data], [1, 2, 3, 4]);
  }
  await expectInputError(() => parseNpz(new Uint8Array(100), 'bad.npz'), 'cannot read bad.npz', 'not a valid .npz');
});

test('npy:<x>,<y> and npz:<file> datasets (x/y, features/labels, one-hot, x_test/y_test)', async () => {
  const xf = join(tmp.dir, 'x.npy');
  const yf = join(tmp.dir, 'y.npy');
  writeFileSync(xf, writeNpy(Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), [3, 2, 2]));
  writeFileSync(yf, writeNpy(BigInt64Array.from([2n, 0n, 1n]), [3]));
  const ds = await loadDataset(`npy:${xf},${yf}`);
  assert.deepEqual(ds.shape, [2, 2]);
  assert.equal(ds.train.n, 3);
  assert.equal(ds.classes, 3);
  assert.deepEqual([...ds.train.y], [2, 0, 1]);
  assert.deepEqual([...ds.train.x], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

  const zf = join(tmp.dir, 'fl.npz');
  writeFileSync(
    zf,
    writeNpz({
      features: { data: Float32Array.from([1, 0, 0, 1, 1, 1]), shape: [3, 2] },
      labels: { data: Float32Array.from([0, 1, 1, 0, 0, 1]), shape: [3, 2] },
      x_test: { data: Float32Array.from([5, 5]), shape: [1, 2] },
      y_test: { data: Uint8Array.from([1]), shape: [1] },
    }),
  );
  const z = await loadDataset(`npz:${zf}`);
  assert.deepEqual([...z.train.y], [1, 0, 1]);
  assert.equal(z.classes, 2);
  assert.equal(z.test?.n, 1);
  assert.deepEqual([...z.test!.y], [1]);
  assert.equal((await loadDataset(zf)).train.n, 3); // bare .npz path
});

test('npy/npz dataset errors: missing arrays, label shape, non-integer labels, NaN features, mismatched n', async () => {
  const w = (name: string, arrays: Parameters<typeof writeNpz>[0]) => {
    const p = join(tmp.dir, name);
    writeFileSync(p, writeNpz(arrays));
    return p;
  };
  const noY = w('noy.npz', { x: { data: new Float32Array(4), shape: [2, 2] } });
  await expectInputError(() => loadDataset(`npz:${noY}`), "expected arrays 'x' and 'y'", 'found x');
  const frac = w('frac.npz', { x: { data: new Float32Array(4), shape: [2, 2] }, y: { data: Float32Array.from([0, 0.5]), shape: [2] } });
  await expectInputError(() => loadDataset(`npz:${frac}`), 'label 1 (0-based) is 0.5, not an integer');
  const neg = w('neg.npz', { x: { data: new Float32Array(4), shape: [2, 2] }, y: { data: Int32Array.from([0, -1]), shape: [2] } });
  await expectInputError(() => loadDataset(`npz:${neg}`), 'labels range -1..0, expected non-negative integers');
  const nan = w('nan.npz', { x: { data: Float32Array.from([0, 1, NaN, 2]), shape: [2, 2] }, y: { data: Int32Array.from([0, 1]), shape: [2] } });
  await expectInputError(() => loadDataset(`npz:${nan}`), 'train example 1 (0-based) has a non-finite value (NaN) at feature 0');
  const mis = w('mis.npz', { x: { data: new Float32Array(4), shape: [2, 2] }, y: { data: Int32Array.from([0, 1, 1]), shape: [3] } });
  await expectInputError(() => loadDataset(`npz:${mis}`), 'labels have shape (3)', 'expected (2,)');
  const multi = w('multi.npz', { x: { data: new Float32Array(4), shape: [2, 2] }, y: { data: Float32Array.from([1, 1, 0, 1]), shape: [2, 2] } });
  await expectInputError(() => loadDataset(`npz:${multi}`), 'label row 0 (0-based) is not one-hot');
  const ff = join(tmp.dir, 'fortran.npz');
  writeFileSync(ff, zipSync({ 'x.npy': Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 9, 0, 0, 0]) }));
  await expectInputError(() => loadDataset(`npz:${ff}`), 'cannot read', 'fortran.npz[x]', 'unsupported .npy format version 9');
  await expectInputError(() => loadDataset(`npz:${join(tmp.dir, 'none.npz')}`), 'file not found');
});
