// The synthetic dataset: pinned bytes, parameters independent of order, label noise at the asked rate, every
// bad parameter a one-line InputError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listDatasets, loadDataset, parseSyntheticSpec, SYNTHETIC_DEFAULTS, syntheticDataset } from './index.ts';
import { expectInputError } from './test-helpers.ts';

test('synthetic: the same spec gives the pinned bytes; any parameter order, defaults filled in; canonical name', async () => {
  const ds = await loadDataset('synthetic');
  assert.equal(ds.name, 'synthetic:n=4000,features=64,classes=10,noise=0.2,seed=0');
  assert.deepEqual([ds.train.n, ds.shape, ds.classes, ds.test], [4000, [64], 10, undefined]);
  // sha256 of the features (one byte each) and the labels (int32 LE): fixed on every machine
  assert.equal(ds.sha256, '8299796b9ac47c68743eb760809f229ba0910d31b2bb80520424f80d6795c4c6');
  assert.deepEqual([...ds.train.y.subarray(0, 12)], [9, 4, 7, 0, 9, 8, 6, 7, 4, 9, 7, 7]);
  assert.ok(ds.train.x.every((v) => v === 0 || v === 1), 'binary features');
  const same = await loadDataset('synthetic:seed=0, classes=10,noise=0.2 ,features=64,n=4000');
  assert.equal(same.sha256, ds.sha256);
  assert.equal((await loadDataset('synthetic:')).sha256, ds.sha256);
  assert.equal((await loadDataset('SYNTHETIC:n=50,features=8,classes=3,noise=0.3,seed=7')).sha256, '17ce1d95278bb109bdc3559f7d063f7bbe5619b151d3ab916c501f5ee36fd999');
  assert.notEqual((await loadDataset('synthetic:seed=1')).sha256, ds.sha256);
  assert.ok(listDatasets().some((d) => d.name === 'synthetic' && d.classes === 10));
});

test('synthetic: rows do not depend on n; classes are balanced; noise flips the asked fraction of labels and nothing else', () => {
  const base = { ...SYNTHETIC_DEFAULTS, n: 3000, features: 16, classes: 5 };
  const small = syntheticDataset({ ...base, n: 100 });
  const big = syntheticDataset(base);
  assert.deepEqual(big.train.x.subarray(0, 100 * 16), small.train.x);
  assert.deepEqual(big.train.y.subarray(0, 100), small.train.y);

  const clean = syntheticDataset({ ...base, noise: 0 });
  const noisy = syntheticDataset({ ...base, noise: 0.3 });
  assert.deepEqual(noisy.train.x, clean.train.x, 'noise changes labels only');
  let flipped = 0;
  const counts = new Array<number>(5).fill(0);
  for (let i = 0; i < base.n; i++) {
    counts[clean.train.y[i]]++;
    if (noisy.train.y[i] !== clean.train.y[i]) flipped++;
  }
  // binomial(3000, 0.3): sd 25; a flip always moves to another class
  assert.ok(Math.abs(flipped - 900) < 125, `flipped ${flipped} of 3000`);
  for (const c of counts) assert.ok(Math.abs(c - 600) < 120, `class counts ${counts}`);

  // the classes are learnable from the features: the nearest class mean (of the clean labels) is mostly right
  const mean = new Float64Array(5 * 16);
  for (let i = 0; i < base.n; i++) for (let j = 0; j < 16; j++) mean[clean.train.y[i] * 16 + j] += clean.train.x[i * 16 + j] / counts[clean.train.y[i]];
  let right = 0;
  for (let i = 0; i < base.n; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let c = 0; c < 5; c++) {
      let d = 0;
      for (let j = 0; j < 16; j++) d += (clean.train.x[i * 16 + j] - mean[c * 16 + j]) ** 2;
      if (d < bestD) [best, bestD] = [c, d];
    }
    if (best === clean.train.y[i]) right++;
  }
  assert.ok(right / base.n > 0.6, `nearest class mean: ${right} of ${base.n}`);
});

test('synthetic: every bad parameter is a one-line InputError naming it', async () => {
  const bad: [string, RegExp][] = [
    ['n=abc', /n must be an integer in 2\.\.10000000, got 'abc'/],
    ['n=1', /n must be an integer in 2\./],
    ['n=1.5', /n must be an integer/],
    ['n=20000000', /n must be an integer in 2\.\.10000000/],
    ['features=0', /features must be an integer in 1\.\.100000, got '0'/],
    ['classes=1', /classes must be an integer in 2\.\.10000/],
    ['noise=1', /noise must be a number in \[0, 1\), got '1'/],
    ['noise=-0.1', /noise must be a number in \[0, 1\)/],
    ['noise=NaN', /noise must be a number/],
    ['seed=-1', /seed must be an integer in 0\.\./],
    ['seed=0x10', /seed must be an integer/],
    ['rows=10', /unknown parameter 'rows' \(known: n, features, classes, noise, seed\)/],
    ['n=10,n=20', /n is given twice/],
    ['n', /expected key=value pairs/],
    ['n=10,,seed=1', /expected key=value pairs/],
    ['n=5,classes=10', /n \(5\) must be at least classes \(10\)/],
    ['n=10000000,features=100', /n \* features = 1000000000 values, at most 200000000/],
  ];
  for (const [arg, re] of bad) {
    await expectInputError(() => loadDataset(`synthetic:${arg}`), `'synthetic:${arg}'`, re);
    await expectInputError(() => parseSyntheticSpec(arg), re);
  }
});
