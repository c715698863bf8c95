// Location (the real file, from the shared data folder: skipped without it), file lookup, checksum and
// missing-file errors; the named-dataset list; MNIST.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadDataset, dataSearchPath, listDatasets, makeSplit, memberMask } from './index.ts';
import { expectInputError, sharedFile, tempDir } from './test-helpers.ts';

const LOCATION = 'location/dataset_location.tgz';
const { dir: shared, skip } = sharedFile(LOCATION);
const LOCATION_SHA = '927203f85a868f8ee17a0ded1dc61699efe602167beabe34fbf45b4b1de94b33';
let tmp: ReturnType<typeof tempDir>;
const savedEnv = process.env.CWRF_DATA_DIR;
before(() => {
  tmp = tempDir();
  delete process.env.CWRF_DATA_DIR;
});
after(() => {
  tmp.cleanup();
  if (savedEnv !== undefined) process.env.CWRF_DATA_DIR = savedEnv;
});

test('location loads: 5,010 rows, 446 features, 30 classes, known class counts', { skip }, async (t) => {
  const t0 = performance.now();
  // --data-dir <shared>: the file is found in the location/ subfolder.
  const ds = await loadDataset('location', { dataDir: shared!, cacheDir: tmp.dir });
  t.diagnostic(`location load: ${(performance.now() - t0).toFixed(0)} ms`);
  assert.equal(ds.name, 'location');
  assert.equal(ds.train.n, 5010);
  assert.deepEqual(ds.shape, [446]);
  assert.equal(ds.classes, 30);
  assert.equal(ds.train.x.length, 5010 * 446);
  assert.equal(ds.test, undefined);
  assert.equal(ds.sha256, LOCATION_SHA);
  assert.match(ds.source, /location[/\\]dataset_location\.tgz$/);
  const counts = new Array(30).fill(0);
  for (const y of ds.train.y) counts[y]++;
  assert.equal(counts[4], 97); // class "5"
  assert.equal(counts[7], 308); // class "8"
  assert.equal(Math.min(...counts), 97);
  assert.equal(Math.max(...counts), 308);
  assert.ok(ds.train.x.every((v) => v === 0 || v === 1));
  // First row of the file: label "13", features 0,1,0,1,...
  assert.equal(ds.train.y[0], 12);
  assert.deepEqual([...ds.train.x.subarray(0, 4)], [0, 1, 0, 1]);
  // Location has no test split: 10% test carved from train, 10% reference, the rest population.
  const split = makeSplit(ds, { seed: 0 });
  assert.equal(split.testFromTrain, true);
  assert.deepEqual([split.test!.length, split.reference.length, split.population.length], [501, 501, 4008]);
  assert.equal(new Set([...split.test!, ...split.reference, ...split.population]).size, 5010);
  assert.equal(memberMask(split.population.length, 0).reduce((a, b) => a + b, 0), 2004);
});

test('location from the extracted bangkok file and via CWRF_DATA_DIR', { skip }, async () => {
  const d = join(tmp.dir, 'extracted');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'bangkok'), gunzipSync(readFileSync(join(shared!, LOCATION))).subarray(512, 512 + 4492469));
  process.env.CWRF_DATA_DIR = d;
  try {
    const ds = await loadDataset('location', { cacheDir: tmp.dir });
    assert.equal(ds.train.n, 5010);
    assert.match(ds.source, /bangkok$/);
  } finally {
    delete process.env.CWRF_DATA_DIR;
  }
});

test('checksum mismatch names the file, expected and actual sha256', { skip }, async () => {
  const d = join(tmp.dir, 'bad');
  mkdirSync(d, { recursive: true });
  const f = join(d, 'dataset_location.tgz');
  const buf = readFileSync(join(shared!, LOCATION));
  buf[1000] ^= 0xff;
  writeFileSync(f, buf);
  await expectInputError(() => loadDataset('location', { dataDir: d, cacheDir: tmp.dir }), 'checksum mismatch', f, `expected sha256 ${LOCATION_SHA}`, /got [0-9a-f]{64}/);
});

test('missing file names the file, its sha256 and the directories searched', async () => {
  const d = join(tmp.dir, 'empty');
  mkdirSync(d, { recursive: true });
  await expectInputError(
    () => loadDataset('location', { dataDir: d, cacheDir: tmp.dir }),
    "dataset 'location' not found",
    'dataset_location.tgz',
    LOCATION_SHA,
    d,
    join(tmp.dir, 'data'),
  );
  await expectInputError(() => loadDataset('purchase100', { dataDir: d, cacheDir: tmp.dir }), 'dataset_purchase.tgz', 'not pinned');
  await expectInputError(() => loadDataset('cifar10', { dataDir: d, cacheDir: tmp.dir }), 'cifar-10-binary.tar.gz', 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd');
  await expectInputError(() => loadDataset('no-such-set', { dataDir: d }), "unknown dataset 'no-such-set'", 'location', 'csv:');
});

test('search path order: dataDir, $CWRF_DATA_DIR, <cache>/data (files found in <cache>/data/location/)', { skip }, async () => {
  process.env.CWRF_DATA_DIR = '/nonexistent-env-dir';
  try {
    assert.deepEqual(dataSearchPath({ dataDir: '/a', cacheDir: '/c' }), ['/a', '/nonexistent-env-dir', '/c/data']);
  } finally {
    delete process.env.CWRF_DATA_DIR;
  }
  const d = join(tmp.dir, 'cache', 'data', 'location');
  mkdirSync(d, { recursive: true });
  copyFileSync(join(shared!, LOCATION), join(d, 'dataset_location.tgz'));
  const ds = await loadDataset('location', { cacheDir: join(tmp.dir, 'cache') });
  assert.equal(ds.source, join(d, 'dataset_location.tgz'));
});

test('listDatasets describes the named datasets', () => {
  const names = listDatasets().map((d) => d.name);
  assert.deepEqual(names, ['mnist', 'synthetic', 'location', 'purchase100', 'texas100', 'cifar10', 'cifar100', 'cifar10-jpeg']);
  const loc = listDatasets().find((d) => d.name === 'location')!;
  assert.equal(loc.sha256, LOCATION_SHA);
  assert.equal(loc.classes, 30);
});

test('mnist: 10,000 digits, 784 values in [0,1], no test split', async () => {
  const ds = await loadDataset('mnist');
  assert.equal(ds.train.n, 10000);
  assert.deepEqual(ds.shape, [1, 28, 28]);
  assert.equal(ds.test, undefined);
  assert.equal(ds.classes, 10);
  let mn = Infinity;
  let mx = -Infinity;
  for (const v of ds.train.x) {
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  assert.equal(mn, 0);
  assert.equal(mx, 1);
  const counts = new Array(10).fill(0);
  for (const y of ds.train.y) counts[y]++;
  assert.deepEqual(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
});
