import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countLess, erfc, medianInPlace, normLogSf, stdOf, trimmedMeanInPlace } from './stats.ts';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

test('erfc against reference values (scipy/math.erfc) across the switch points', () => {
  const ref: [number, number][] = [
    [0.1, 0.8875370839817152],
    [1, 0.15729920705028513],
    [1.49, 0.03510213515679579],
    [1.5, 0.033894853524689274],
    [2.5, 0.0004069520174449589],
    [2.9, 4.109787809945886e-5],
    [5, 1.5374597944280349e-12],
    [10, 2.088487583762545e-45],
    [-2, 1.9953222650189528],
  ];
  for (const [x, v] of ref) assert.ok(rel(erfc(x), v) < 1e-13, `erfc(${x}) = ${erfc(x)} vs ${v}`);
  assert.equal(erfc(0), 1);
});

test('normLogSf is exact in both tails and never underflows', () => {
  assert.ok(Math.abs(normLogSf(0) - Math.log(0.5)) < 1e-15);
  assert.ok(rel(normLogSf(7), Math.log(1.279812543885835e-12)) < 1e-12);
  assert.ok(rel(normLogSf(10), Math.log(7.619853024160527e-24)) < 1e-12);
  assert.ok(rel(-normLogSf(-10), 7.619853024160527e-24) < 1e-9); // log(1 - tiny)
  const far = normLogSf(60); // ~ -60^2/2 - log(60 sqrt(2 pi))
  assert.ok(Number.isFinite(far) && Math.abs(far - (-1800 - Math.log(60 * Math.sqrt(2 * Math.PI)))) < 1e-3);
  let prev = -Infinity;
  for (let z = 80; z >= -10; z -= 0.25) {
    const v = normLogSf(z);
    assert.ok(v > prev, `not increasing at ${z}`);
    prev = v;
  }
});

test('median, std (ddof 0), trimmed mean (scipy trim_mean), countLess', () => {
  assert.equal(medianInPlace(Float64Array.from([3, 1, 2]), 3), 2);
  assert.equal(medianInPlace(Float64Array.from([4, 1, 3, 2, 99]), 4), 2.5); // only the prefix
  assert.equal(stdOf(Float64Array.from([1, 3]), 2), 1);
  // trim_mean([1..10, 100], 0.2): cut floor(2.2) = 2 from each end -> mean(3..9) = 6
  const v = Float64Array.from([100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(trimmedMeanInPlace(v, 11, 0.2), 6);
  assert.equal(trimmedMeanInPlace(Float64Array.from([1, 2, 30]), 3, 0.2), 11); // floor(0.6) = 0: plain mean
  const s = Float64Array.from([1, 2, 2, 3]);
  assert.deepEqual(
    [0.5, 1, 2, 2.5, 3, 4].map((x) => countLess(s, x)),
    [0, 0, 1, 3, 3, 4],
  );
});
