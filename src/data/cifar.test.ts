// CIFAR-10/100 binary parser on synthetic archives in the official layout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCifarBinary, loadDataset, CIFAR100_CLASSES } from './index.ts';
import { expectInputError, makeTar, tempDir } from './test-helpers.ts';

let tmp: ReturnType<typeof tempDir>;
before(() => {
  tmp = tempDir();
});
after(() => tmp.cleanup());

/** n records; pixel k of record r = (r + k) % 256; labels from `label(r)`. */
function records(n: number, labelBytes: number[][], offset: number): Uint8Array {
  const rec = labelBytes[0].length + 3072;
  const b = new Uint8Array(n * rec);
  for (let r = 0; r < n; r++) {
    b.set(labelBytes[r], r * rec);
    for (let k = 0; k < 3072; k++) b[r * rec + labelBytes[0].length + k] = (r + offset + k) % 256;
  }
  return b;
}

test('cifar10 binary: 5 train batches + test batch, labels, CHW pixels in [0,1]', () => {
  const files: Record<string, Uint8Array | string> = {};
  for (let b = 1; b <= 5; b++) files[`cifar-10-batches-bin/data_batch_${b}.bin`] = records(4, [[b], [b + 1], [0], [9]], b * 10);
  files['cifar-10-batches-bin/test_batch.bin'] = records(3, [[3], [4], [5]], 99);
  files['cifar-10-batches-bin/batches.meta.txt'] = 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n';
  const f = join(tmp.dir, 'cifar-10-binary.tar.gz');
  makeTar(f, files);
  const ds = loadCifarBinary('cifar10', f, readFileSync(f));
  assert.equal(ds.train.n, 20);
  assert.equal(ds.test!.n, 3);
  assert.deepEqual(ds.shape, [3, 32, 32]);
  assert.equal(ds.classes, 10);
  assert.equal(ds.classNames![9], 'truck');
  assert.deepEqual([...ds.train.y.subarray(0, 8)], [1, 2, 0, 9, 2, 3, 0, 9]);
  assert.deepEqual([...ds.test!.y], [3, 4, 5]);
  // record 1 of batch 1: pixel k = (1 + 10 + k) % 256 / 255; channel planes are contiguous (CHW).
  assert.equal(ds.train.x[3072 + 0], Math.fround(11 / 255));
  assert.equal(ds.train.x[3072 + 1024], Math.fround(((11 + 1024) % 256) / 255));
});

test('cifar100 binary: fine labels (second byte), train.bin/test.bin', () => {
  const f = join(tmp.dir, 'cifar-100-binary.tar.gz');
  makeTar(f, {
    'cifar-100-binary/train.bin': records(3, [[1, 99], [2, 0], [19, 57]], 0),
    'cifar-100-binary/test.bin': records(2, [[0, 42], [3, 7]], 5),
  });
  const ds = loadCifarBinary('cifar100', f, readFileSync(f));
  assert.equal(ds.classes, 100);
  assert.deepEqual([...ds.train.y], [99, 0, 57]);
  assert.deepEqual([...ds.test!.y], [42, 7]);
  assert.deepEqual(ds.classNames, CIFAR100_CLASSES);
  assert.equal(CIFAR100_CLASSES.length, 100);
  assert.equal(new Set(CIFAR100_CLASSES).size, 100);
});

test('cifar binary errors: truncated record, missing batch, bad label, corrupt gzip, checksum', async () => {
  const t1 = join(tmp.dir, 'trunc.tar.gz');
  makeTar(t1, { 'cifar-100-binary/train.bin': records(2, [[0, 1], [0, 2]], 0).subarray(0, 5000), 'cifar-100-binary/test.bin': records(1, [[0, 1]], 0) });
  await expectInputError(() => loadCifarBinary('cifar100', t1, readFileSync(t1)), 'train.bin has 5000 bytes', '3074-byte records');
  const t2 = join(tmp.dir, 'missing.tar.gz');
  makeTar(t2, { 'cifar-100-binary/train.bin': records(1, [[0, 1]], 0) });
  await expectInputError(() => loadCifarBinary('cifar100', t2, readFileSync(t2)), 'the archive has no test.bin');
  const t3 = join(tmp.dir, 'label.tar.gz');
  makeTar(t3, { 'train.bin': records(1, [[0, 100]], 0), 'test.bin': records(1, [[0, 1]], 0) });
  await expectInputError(() => loadCifarBinary('cifar100', t3, readFileSync(t3)), 'train.bin record 1 has label 100, expected 0..99');
  const good = readFileSync(t2);
  await expectInputError(() => loadCifarBinary('cifar100', t2, good.subarray(0, good.length - 30)), `cannot read ${t2}:`);
  const garbage = Buffer.from('this is not an archive at all'.repeat(40));
  await expectInputError(() => loadCifarBinary('cifar100', 'junk.tar.gz', garbage), 'cannot read junk.tar.gz:');
  // Through the registry the pinned checksum rejects the synthetic file.
  const d = join(tmp.dir, 'reg', 'cifar100');
  mkdirSync(d, { recursive: true });
  makeTar(join(d, 'cifar-100-binary.tar.gz'), { 'cifar-100-binary/train.bin': records(1, [[0, 1]], 0) });
  await expectInputError(
    () => loadDataset('cifar100', { dataDir: join(tmp.dir, 'reg'), cacheDir: tmp.dir }),
    'checksum mismatch',
    'expected sha256 58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a4ef73e',
  );
});
