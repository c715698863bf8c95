// Fast check of the named cifar10-jpeg dataset: checksum, layout and class order with a small limit.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from './index.ts';
import { sharedFile, tempDir } from './test-helpers.ts';

const { dir: shared, skip } = sharedFile('cifar10-jpeg/cifar10-jpeg.tar.gz');
const tmp = tempDir('cwrf-cifar-jpeg-fast-');
after(() => tmp.cleanup());

test('cifar10-jpeg with limit: class-balanced subset, official class order, sha256 recorded', { skip }, async (t) => {
  const t0 = performance.now();
  const ds = await loadDataset('cifar10-jpeg', { dataDir: shared!, cacheDir: tmp.dir, limit: 50 });
  t.diagnostic(`cifar10-jpeg (limit 50): ${(performance.now() - t0).toFixed(0)} ms`);
  assert.equal(ds.train.n, 50);
  assert.equal(ds.test!.n, 50);
  assert.deepEqual(ds.classNames, ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
  assert.deepEqual(ds.shape, [3, 32, 32]);
  const c = new Array(10).fill(0);
  for (const y of ds.train.y) c[y]++;
  assert.deepEqual(c, new Array(10).fill(5));
  assert.equal(ds.sha256, '510e579671637285468ebd65c6fc634e976eaa535d66c3f0a9bdc34d803006fc');
  assert.ok(ds.train.x.every((v) => v >= 0 && v <= 1));
});
