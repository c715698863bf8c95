// Image folders (directories and archives), JPEG/PNG decoding, resizing, the decoded-image cache.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { loadDataset, loadImageFolder, writeChw, decodeImage } from './index.ts';
import { archiveSource } from './images.ts';
import { expectInputError, makeTar, tempDir, writeTree } from './test-helpers.ts';

const { PNG } = createRequire(import.meta.url)('pngjs') as {
  PNG: { new (o: { width: number; height: number }): { data: Buffer }; sync: { write(p: unknown, o?: object): Buffer } };
};

let tmp: ReturnType<typeof tempDir>;
before(() => {
  tmp = tempDir();
});
after(() => tmp.cleanup());

/** Solid-color RGBA pixels, with pixel (0,0) set to `corner` if given. */
function rgba(w: number, h: number, rgb: [number, number, number]): Buffer {
  const d = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) d.set([rgb[0], rgb[1], rgb[2], 255], i * 4);
  return d;
}
function jpg(w: number, h: number, rgb: [number, number, number]): Buffer {
  return jpeg.encode({ width: w, height: h, data: rgba(w, h, rgb) }, 100).data;
}
function png(w: number, h: number, rgb: [number, number, number], colorType = 2): Buffer {
  const p = new PNG({ width: w, height: h });
  rgba(w, h, rgb).copy(p.data);
  return PNG.sync.write(p, { colorType });
}
const opts = () => ({ cacheDir: join(tmp.dir, 'cache') });

test('directory of class folders: JPEG + PNG, CHW float32 in [0,1], sorted class order', async () => {
  const root = join(tmp.dir, 'flat');
  writeTree(root, {
    'dog/a.png': png(8, 6, [10, 20, 30]),
    'dog/b.jpg': jpg(8, 6, [200, 100, 50]),
    'cat/c.png': png(8, 6, [255, 0, 128]),
    'cat/gray.png': png(8, 6, [77, 77, 77], 0),
    'cat/notes.txt': 'ignored',
    '.hidden/x.png': png(8, 6, [1, 1, 1]),
  });
  const ds = await loadDataset(`imagefolder:${root}`, opts());
  assert.deepEqual(ds.shape, [3, 6, 8]);
  assert.deepEqual(ds.classNames, ['cat', 'dog']);
  assert.equal(ds.classes, 2);
  assert.equal(ds.train.n, 4);
  assert.equal(ds.test, undefined);
  // Order: sorted paths -> cat/c.png, cat/gray.png, dog/a.png, dog/b.jpg
  assert.deepEqual([...ds.train.y], [0, 0, 1, 1]);
  const px = (r: number, c: number) => ds.train.x[r * 144 + c * 48 + 5];
  assert.deepEqual([px(0, 0), px(0, 1), px(0, 2)], [1, 0, Math.fround(128 / 255)]);
  assert.deepEqual([px(1, 0), px(1, 1), px(1, 2)].map((v) => Math.round(v * 255)), [77, 77, 77]);
  assert.deepEqual([px(2, 0), px(2, 1), px(2, 2)].map((v) => Math.round(v * 255)), [10, 20, 30]);
  const j = [px(3, 0), px(3, 1), px(3, 2)].map((v) => Math.round(v * 255));
  [200, 100, 50].forEach((v, i) => assert.ok(Math.abs(j[i] - v) <= 3, `jpeg pixel ${j}`));
  assert.equal(ds.source, root);
});

test('size mismatch: resized to the most common size, or to imageSize, or rejected when resize=false', async () => {
  const root = join(tmp.dir, 'mixed');
  writeTree(root, {
    'a/1.png': png(8, 6, [50, 60, 70]),
    'a/2.png': png(8, 6, [50, 60, 70]),
    'b/3.png': png(4, 4, [90, 90, 90]),
    'b/4.png': png(8, 6, [50, 60, 70]),
  });
  const ds = await loadDataset(`imagefolder:${root}`, opts());
  assert.deepEqual(ds.shape, [3, 6, 8]);
  // The resized solid image stays solid.
  const third = ds.train.x.subarray(2 * 144, 3 * 144);
  assert.ok(third.every((v) => Math.round(v * 255) === 90));
  const small = await loadDataset(`imagefolder:${root}`, { ...opts(), imageSize: [4, 4] });
  assert.deepEqual(small.shape, [3, 4, 4]);
  assert.equal(Math.round(small.train.x[0] * 255), 50);
  await expectInputError(
    () => loadDataset(`imagefolder:${root}`, { ...opts(), resize: false }),
    root,
    'image b/3.png is 4x4 (WxH) but the dataset size is 8x6',
  );
});

test('tar.gz with a wrapping folder and train/test splits; decoded cache is reused and written atomically', async () => {
  const files: Record<string, Uint8Array> = {};
  const classes = ['zebra', 'ant', 'moth'];
  classes.forEach((c, k) => {
    for (let i = 0; i < 4; i++) files[`wrap/train/${c}/${i}.jpg`] = jpg(5, 5, [k * 80, 10, 10]);
    for (let i = 0; i < 2; i++) files[`wrap/test/${c}/${i}.png`] = png(5, 5, [k * 80, 20, 20]);
  });
  const f = join(tmp.dir, 'imgs.tar.gz');
  makeTar(f, files);
  const o = { cacheDir: join(tmp.dir, 'cache-tgz') };
  const first = loadImageFolder('imgs', archiveSource(f), o);
  assert.equal(first.cached, false);
  const ds = first.ds;
  assert.deepEqual(ds.classNames, ['ant', 'moth', 'zebra']);
  assert.equal(ds.train.n, 12);
  assert.equal(ds.test!.n, 6);
  assert.deepEqual([...ds.test!.y], [0, 0, 1, 1, 2, 2]);
  assert.match(ds.sha256!, /^[0-9a-f]{64}$/);
  const second = loadImageFolder('imgs', archiveSource(f), o);
  assert.equal(second.cached, true);
  assert.deepEqual(second.ds.train.x, ds.train.x);
  assert.deepEqual(second.ds.test!.y, ds.test!.y);
  assert.deepEqual(second.ds.classNames, ds.classNames);
  const cacheFiles = readdirSync(join(o.cacheDir, 'images'));
  assert.equal(cacheFiles.length, 1);
  assert.match(cacheFiles[0], /^[0-9a-f]{32}\.bin$/);
  // Through the registry (also cached); a limit makes a separate cache entry.
  const viaSpec = await loadDataset(`imagefolder:${f}`, o);
  assert.equal(viaSpec.train.n, 12);
  const lim = await loadDataset(`imagefolder:${f}`, { ...o, limit: 4 });
  assert.equal(lim.train.n, 4);
  assert.equal(lim.test!.n, 4);
  assert.deepEqual([...lim.train.y].sort(), [0, 0, 1, 2]);
  assert.equal(readdirSync(join(o.cacheDir, 'images')).length, 2);
  // cache: false neither reads nor writes.
  const o2 = { cacheDir: join(tmp.dir, 'cache-off'), cache: false };
  assert.equal(loadImageFolder('imgs', archiveSource(f), o2).cached, false);
  assert.throws(() => readdirSync(join(o2.cacheDir, 'images')));
});

test('a corrupt cache file is ignored and rewritten; directory caches notice changed files', async () => {
  const root = join(tmp.dir, 'recache');
  writeTree(root, { 'a/1.png': png(3, 3, [1, 2, 3]), 'b/2.png': png(3, 3, [4, 5, 6]) });
  const o = { cacheDir: join(tmp.dir, 'cache-re') };
  assert.equal(loadImageFolder('r', { kind: 'dir', dir: root }, o).cached, false);
  const dir = join(o.cacheDir, 'images');
  const [name] = readdirSync(dir);
  writeFileSync(join(dir, name), 'garbage');
  assert.equal(loadImageFolder('r', { kind: 'dir', dir: root }, o).cached, false);
  assert.equal(loadImageFolder('r', { kind: 'dir', dir: root }, o).cached, true);
  writeFileSync(join(root, 'b/2.png'), png(3, 3, [200, 5, 6]));
  utimesSync(join(root, 'b/2.png'), new Date(), new Date(Date.now() + 5000));
  const changed = loadImageFolder('r', { kind: 'dir', dir: root }, o);
  assert.equal(changed.cached, false);
  assert.equal(Math.round(changed.ds.train.x[27] * 255), 200);
});

test('image folder errors: corrupt image, loose files, unknown test class, one class, empty, missing', async () => {
  const bad = join(tmp.dir, 'bad');
  writeTree(bad, { 'a/1.png': png(3, 3, [1, 2, 3]), 'b/2.jpg': Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0, 3, 0, 3, 3, 1, 2, 3]) });
  await expectInputError(() => loadDataset(`imagefolder:${bad}`, opts()), 'cannot read', 'b/2.jpg');
  const notimg = join(tmp.dir, 'notimg');
  writeTree(notimg, { 'a/1.png': png(3, 3, [1, 2, 3]), 'b/2.png': Buffer.from('not a png') });
  await expectInputError(() => loadDataset(`imagefolder:${notimg}`, opts()), 'b/2.png', 'not a JPEG or PNG');
  const loose = join(tmp.dir, 'loose');
  writeTree(loose, { 'a/1.png': png(3, 3, [1, 2, 3]), 'x.png': png(3, 3, [1, 2, 3]) });
  await expectInputError(() => loadDataset(`imagefolder:${loose}`, opts()), 'image x.png is not inside a class folder');
  const split = join(tmp.dir, 'split');
  writeTree(split, { 'train/a/1.png': png(3, 3, [1, 2, 3]), 'train/b/1.png': png(3, 3, [1, 2, 3]), 'test/c/1.png': png(3, 3, [1, 2, 3]) });
  await expectInputError(() => loadDataset(`imagefolder:${split}`, opts()), "test class folder 'c' has no training images");
  const one = join(tmp.dir, 'one');
  writeTree(one, { 'a/1.png': png(3, 3, [1, 2, 3]), 'a/2.png': png(3, 3, [1, 2, 3]) });
  await expectInputError(() => loadDataset(`imagefolder:${one}`, opts()), 'at least 2 classes');
  const empty = join(tmp.dir, 'empty');
  writeTree(empty, { 'a/readme.txt': 'x' });
  await expectInputError(() => loadDataset(`imagefolder:${empty}`, opts()), 'no .jpg/.jpeg/.png images found');
  await expectInputError(() => loadDataset(`imagefolder:${join(tmp.dir, 'nope')}`, opts()), 'image folder not found');
  const trunc = join(tmp.dir, 'trunc.tar.gz');
  makeTar(trunc, { 'a/1.png': png(30, 30, [1, 2, 3]), 'b/1.png': png(30, 30, [9, 2, 3]) });
  const buf = (await import('node:fs')).readFileSync(trunc);
  writeFileSync(trunc, buf.subarray(0, buf.length - 20));
  await expectInputError(() => loadDataset(`imagefolder:${trunc}`, opts()), `cannot read ${trunc}:`);
});

test('writeChw: identity copy, bilinear upsampling with half-pixel centers, decodeImage on PNG', () => {
  // 2x1 image: left pixel 0, right pixel 255 (all channels) -> 4x1.
  const im = { w: 2, h: 1, rgb: Uint8Array.from([0, 0, 0, 255, 255, 255]) };
  const out = new Uint8Array(3 * 4);
  writeChw(im, 1, 4, out, 0);
  assert.deepEqual([...out.subarray(0, 4)], [0, 64, 191, 255]);
  assert.deepEqual([...out.subarray(4, 8)], [0, 64, 191, 255]);
  const same = new Uint8Array(6);
  writeChw(im, 1, 2, same, 0);
  assert.deepEqual([...same], [0, 255, 0, 255, 0, 255]);
  const d = decodeImage(png(2, 2, [9, 8, 7]), 'p.png');
  assert.deepEqual([d.w, d.h, ...d.rgb.subarray(0, 3)], [2, 2, 9, 8, 7]);
});
