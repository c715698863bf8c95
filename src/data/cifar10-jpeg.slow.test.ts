// Slow: decodes all 60,000 CIFAR-10 JPEGs from the shared data folder (skipped without it), then reloads them from the cache.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from './index.ts';
import { sharedFile, tempDir } from './test-helpers.ts';

const { dir: shared, skip } = sharedFile('cifar10-jpeg/cifar10-jpeg.tar.gz');
const tmp = tempDir('cwrf-cifar-jpeg-');
after(() => tmp.cleanup());

function counts(y: Int32Array, k: number): number[] {
  const c = new Array(k).fill(0);
  for (const v of y) c[v]++;
  return c;
}

test('cifar10-jpeg: full decode (50,000 + 10,000, 10 classes), then a cached reload', { skip, timeout: 300_000 }, async (t) => {
  const opts = { dataDir: shared!, cacheDir: tmp.dir };
  let t0 = performance.now();
  const ds = await loadDataset('cifar10-jpeg', opts);
  const decodeMs = performance.now() - t0;
  assert.equal(ds.train.n, 50000);
  assert.equal(ds.test!.n, 10000);
  assert.equal(ds.classes, 10);
  assert.deepEqual(ds.shape, [3, 32, 32]);
  assert.deepEqual(ds.classNames, ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
  assert.deepEqual(counts(ds.train.y, 10), new Array(10).fill(5000));
  assert.deepEqual(counts(ds.test!.y, 10), new Array(10).fill(1000));
  assert.equal(ds.sha256, '510e579671637285468ebd65c6fc634e976eaa535d66c3f0a9bdc34d803006fc');
  let mean = 0;
  for (let i = 0; i < ds.train.x.length; i += 97) mean += ds.train.x[i];
  mean /= Math.ceil(ds.train.x.length / 97);
  assert.ok(mean > 0.4 && mean < 0.55, `mean pixel ${mean}`); // CIFAR-10 mean is ~0.47
  const files = readdirSync(join(tmp.dir, 'images'));
  assert.equal(files.length, 1);
  const size = statSync(join(tmp.dir, 'images', files[0])).size;
  assert.ok(size > 60000 * 3072 && size < 60000 * 3072 + 1e6, `cache file size ${size}`);

  t0 = performance.now();
  const again = await loadDataset('cifar10-jpeg', opts);
  const cachedMs = performance.now() - t0;
  assert.equal(again.train.n, 50000);
  assert.deepEqual(again.train.y, ds.train.y);
  for (const i of [0, 12345, ds.train.x.length - 1]) assert.equal(again.train.x[i], ds.train.x[i]);
  assert.deepEqual(again.test!.x.subarray(0, 3072), ds.test!.x.subarray(0, 3072));
  t.diagnostic(`cifar10-jpeg: decode ${(decodeMs / 1000).toFixed(1)} s, cached reload ${(cachedMs / 1000).toFixed(1)} s, cache file ${(size / 1e6).toFixed(0)} MB`);
  assert.ok(cachedMs < decodeMs, 'cached reload should be faster than decoding');
});
