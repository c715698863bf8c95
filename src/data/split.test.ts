// Seeded splits, member masks and balanced inclusion matrices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSplit, memberMask, balancedInclusion, type Dataset } from './index.ts';
import { InputError } from '../util/errors.ts';

function fake(n: number, testN?: number): Dataset {
  const mk = (m: number) => ({ x: new Float32Array(m * 2), y: Int32Array.from({ length: m }, (_, i) => i % 2), n: m });
  return { name: 'fake', shape: [2], classes: 2, train: mk(n), test: testN === undefined ? undefined : mk(testN), source: 'mem' };
}

function disjoint(...sets: (Int32Array | null)[]): boolean {
  const seen = new Set<number>();
  for (const s of sets) {
    if (!s) continue;
    for (const v of s) {
      if (seen.has(v)) return false;
      seen.add(v);
    }
  }
  return true;
}

test('no test split: test carved from train (10%), reference 10%, population = rest; disjoint and sorted', () => {
  const ds = fake(1000);
  const s = makeSplit(ds, { seed: 1 });
  assert.equal(s.testFromTrain, true);
  assert.equal(s.test!.length, 100);
  assert.equal(s.reference.length, 100);
  assert.equal(s.population.length, 800);
  assert.ok(disjoint(s.population, s.reference, s.test));
  for (const a of [s.population, s.reference, s.test!]) {
    assert.ok(a.every((v, i) => v >= 0 && v < 1000 && (i === 0 || a[i - 1] < v)));
  }
  assert.equal(s.seed, 1);
});

test('deterministic per seed; different seeds differ', () => {
  const ds = fake(500);
  const a = makeSplit(ds, { seed: 7, populationSize: 200 });
  const b = makeSplit(ds, { seed: 7, populationSize: 200 });
  const c = makeSplit(ds, { seed: 8, populationSize: 200 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.population, c.population);
  assert.equal(a.population.length, 200);
  // A smaller population is a subset of a larger one with the same seed (prefix of one permutation).
  const big = makeSplit(ds, { seed: 7, populationSize: 300 });
  const bigSet = new Set(big.population);
  assert.ok(a.population.every((v) => bigSet.has(v)));
  assert.deepEqual(big.reference, a.reference);
});

test('with ds.test: test indexes ds.test (all, or a seeded subset of testSize)', () => {
  const ds = fake(300, 50);
  const s = makeSplit(ds, { seed: 3 });
  assert.equal(s.testFromTrain, false);
  assert.deepEqual([...s.test!], Array.from({ length: 50 }, (_, i) => i));
  assert.equal(s.reference.length, 30);
  assert.equal(s.population.length, 270);
  assert.ok(disjoint(s.population, s.reference));
  const sub = makeSplit(ds, { seed: 3, testSize: 20, referenceFraction: 0.2, populationSize: 100 });
  assert.equal(sub.test!.length, 20);
  assert.ok(sub.test!.every((v) => v < 50));
  assert.equal(new Set(sub.test).size, 20);
  assert.equal(sub.reference.length, 60);
  assert.equal(sub.population.length, 100);
});

test('makeSplit input errors', () => {
  const ds = fake(100);
  assert.throws(() => makeSplit(ds, { seed: 1, populationSize: 90 }), (e: unknown) => e instanceof InputError && /population size 90 is larger than the 80/.test(e.message));
  assert.throws(() => makeSplit(ds, { seed: 1, referenceFraction: 1.5 }), InputError);
  assert.throws(() => makeSplit(ds, { seed: 1, testSize: 101 }), InputError);
  assert.throws(() => makeSplit(ds, { seed: 1.5 }), InputError);
  assert.throws(() => makeSplit(fake(100, 10), { seed: 1, testSize: 11 }), /exceeds the 10 test examples/);
});

test('memberMask: exactly floor(n/2) ones, seeded', () => {
  for (const n of [0, 1, 2, 9, 10, 1001]) {
    const m = memberMask(n, 5);
    assert.equal(m.length, n);
    assert.equal(m.reduce((a, b) => a + b, 0), Math.floor(n / 2));
    assert.ok(m.every((v) => v === 0 || v === 1));
  }
  assert.deepEqual(memberMask(100, 5), memberMask(100, 5));
  assert.notDeepEqual(memberMask(100, 5), memberMask(100, 6));
});

test('balancedInclusion: each column has exactly models/2 ones (odd: floor/ceil alternating); rows ~n/2', () => {
  const n = 1000;
  for (const models of [1, 2, 4, 16, 5]) {
    const inc = balancedInclusion(models, n, 11);
    assert.equal(inc.length, models * n);
    for (let j = 0; j < n; j++) {
      let c = 0;
      for (let k = 0; k < models; k++) c += inc[k * n + j];
      const want = models % 2 === 0 ? models / 2 : j % 2 === 0 ? Math.floor(models / 2) : Math.ceil(models / 2);
      assert.equal(c, want, `models=${models} column ${j}`);
    }
    if (models >= 2) {
      for (let k = 0; k < models; k++) {
        const row = inc.subarray(k * n, (k + 1) * n).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(row - n / 2) < 80, `row ${k} has ${row} members`);
      }
    }
  }
  assert.deepEqual(balancedInclusion(8, 100, 1), balancedInclusion(8, 100, 1));
  assert.notDeepEqual(balancedInclusion(8, 100, 1), balancedInclusion(8, 100, 2));
  assert.throws(() => balancedInclusion(0, 10, 1), InputError);
});
