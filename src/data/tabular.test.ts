// CSV readers, purchase100/texas100 parsers on synthetic archives, row-level error messages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset, scanNumericCsv, writeNpz } from './index.ts';
import { expectInputError, makeTar, tempDir } from './test-helpers.ts';

let tmp: ReturnType<typeof tempDir>;
before(() => {
  tmp = tempDir();
  delete process.env.CWRF_DATA_DIR;
});
after(() => tmp.cleanup());

function file(name: string, content: string | Uint8Array): string {
  const p = join(tmp.dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
  return p;
}

/** Synthetic privacytrustlab-style rows: 1-based label then `d` binary features. */
function rows(n: number, d: number, classes: number, quote = false): { text: string; labels: number[]; x: number[][] } {
  const labels: number[] = [];
  const x: number[][] = [];
  let text = '';
  for (let r = 0; r < n; r++) {
    const lab = (r % classes) + 1;
    const f = Array.from({ length: d }, (_, j) => (r * 7 + j * 3) % 5 === 0 ? 1 : 0);
    labels.push(lab - 1);
    x.push(f);
    text += `${quote ? `"${lab}"` : lab},${f.join(',')}\n`;
  }
  return { text, labels, x };
}

test('scanNumericCsv: quoted values, CRLF, blank lines, decimals, exponents', () => {
  const s = scanNumericCsv(Buffer.from('"1",0.5,-2\r\n\r\n2, 3e2 ,"4.25"\r\n\n'), 'mem.csv', { labelColumn: 'first' });
  assert.equal(s.n, 2);
  assert.equal(s.d, 2);
  assert.deepEqual([...s.labels], [1, 2]);
  assert.deepEqual([...s.x], [0.5, -2, 300, 4.25]);
  const last = scanNumericCsv(Buffer.from('1,2,3\n4,5,6'), 'mem.csv', { labelColumn: 'last' });
  assert.deepEqual([...last.labels], [3, 6]);
  assert.deepEqual([...last.x], [1, 2, 4, 5]);
});

test('scanNumericCsv rejects ragged rows, text, empty values and NaN with the row number', async () => {
  const scan = (t: string) => () => scanNumericCsv(Buffer.from(t), 'f.csv', { labelColumn: 'first' });
  await expectInputError(scan('1,0,1\n2,0\n'), 'cannot read f.csv', 'row 2', 'has 2 columns, expected 3', 'ragged');
  await expectInputError(scan('1,0,1\n2,0,1,1\n'), 'row 2', 'more than 3 columns');
  await expectInputError(scan('1,0,1\n2,abc,1\n'), 'row 2, column 2', "not a number: 'abc'");
  await expectInputError(scan('1,0,1\n2,,1\n'), 'row 2, column 2', 'empty value');
  await expectInputError(scan('1,0,1\n\n2,0,NaN\n'), 'row 3, column 3', "non-finite value 'NaN'");
  await expectInputError(scan('1,0,1\n2,0,inf\n'), 'row 2, column 3', 'non-finite');
  await expectInputError(scan(''), 'no data rows');
});

test('csv: header auto-detected, label column first/last/index, labels mapped in sorted order', async () => {
  const p = file('with-header.csv', 'label,a,b\n10,1,2\n2,3,4\n10,5,6\n7,7,8\n');
  const ds = await loadDataset(`csv:${p}`);
  assert.equal(ds.name, 'with-header');
  assert.equal(ds.train.n, 4);
  assert.deepEqual(ds.shape, [2]);
  assert.deepEqual(ds.classNames, ['2', '7', '10']); // numeric sort, not string sort
  assert.deepEqual([...ds.train.y], [2, 0, 2, 1]);
  assert.deepEqual([...ds.train.x], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(ds.test, undefined);

  const q = file('nohdr.csv', '0.5,1.5,cat\n2,3,dog\n4,5,cat\n');
  const last = await loadDataset(`csv:${q}`, { labelColumn: 'last' });
  assert.deepEqual(last.classNames, ['cat', 'dog']);
  assert.deepEqual([...last.train.y], [0, 1, 0]);
  assert.deepEqual([...last.train.x], [0.5, 1.5, 2, 3, 4, 5]);
  const mid = await loadDataset(`csv:${q}`, { labelColumn: 2 });
  assert.deepEqual([...mid.train.y], [0, 1, 0]);
  const neg = await loadDataset(`csv:${q}`, { labelColumn: -1 });
  assert.deepEqual([...neg.train.y], [0, 1, 0]);
  // A bare .csv path is inferred as csv:.
  assert.equal((await loadDataset(q, { labelColumn: 'last' })).train.n, 3);
});

test('csv: NaN, ragged rows, text and single-class files are rejected with row numbers', async () => {
  const nan = file('nan.csv', 'y,a,b\n0,1,2\n1,NaN,2\n');
  await expectInputError(() => loadDataset(`csv:${nan}`), nan, 'row 3, column 2', 'non-finite');
  const ragged = file('ragged.csv', '0,1,2\n1,1\n0,1,2\n');
  await expectInputError(() => loadDataset(`csv:${ragged}`), ragged, 'row 2 has 2 columns, expected 3');
  const text = file('text.csv', '0,1,2\n1,x,2\n');
  await expectInputError(() => loadDataset(`csv:${text}`), 'row 2, column 2', "not a number: 'x'");
  const one = file('one.csv', '0,1,2\n0,3,4\n');
  await expectInputError(() => loadDataset(`csv:${one}`), 'at least 2 classes');
  const quote = file('quote.csv', '0,1,2\n1,"3,4\n');
  await expectInputError(() => loadDataset(`csv:${quote}`), `cannot read ${quote}`);
  await expectInputError(() => loadDataset(`csv:${join(tmp.dir, 'nope.csv')}`), 'file not found', 'nope.csv');
  await expectInputError(() => loadDataset(`csv:${one}`, { labelColumn: 5 }), 'label column 5 does not exist');
});

test('purchase100: dataset_purchase.tgz (label 1..100 + 600 features), raw file, npz; errors', async () => {
  const { text, labels, x } = rows(120, 600, 100);
  const d = join(tmp.dir, 'purchase-data');
  mkdirSync(join(d, 'purchase'), { recursive: true });
  makeTar(join(d, 'purchase', 'dataset_purchase.tgz'), { dataset_purchase: text });
  const ds = await loadDataset('purchase100', { dataDir: d, cacheDir: tmp.dir });
  assert.equal(ds.train.n, 120);
  assert.deepEqual(ds.shape, [600]);
  assert.equal(ds.classes, 100);
  assert.deepEqual([...ds.train.y], labels);
  assert.deepEqual([...ds.train.x.subarray(600, 1200)], x[1]);
  assert.match(ds.sha256!, /^[0-9a-f]{64}$/);

  // Out-of-range label (101) names the row.
  const bad = text.split('\n');
  bad[4] = bad[4].replace(/^\d+,/, '101,');
  const d2 = join(tmp.dir, 'purchase-bad');
  mkdirSync(d2, { recursive: true });
  makeTar(join(d2, 'dataset_purchase.tgz'), { dataset_purchase: bad.join('\n') });
  await expectInputError(() => loadDataset('purchase100', { dataDir: d2, cacheDir: tmp.dir }), 'row 5', 'label 101 is out of range (expected 1..100)');

  // Wrong column count.
  const d3 = join(tmp.dir, 'purchase-narrow');
  mkdirSync(d3, { recursive: true });
  writeFileSync(join(d3, 'dataset_purchase'), rows(5, 10, 3).text);
  await expectInputError(() => loadDataset('purchase100', { dataDir: d3, cacheDir: tmp.dir }), 'expected 601 columns (label + 600 features), found 11 on row 1');

  // npz with one-hot labels.
  const d4 = join(tmp.dir, 'purchase-npz');
  mkdirSync(d4, { recursive: true });
  const n = 30;
  const feats = new Float32Array(n * 600);
  const onehot = new Uint8Array(n * 100);
  for (let r = 0; r < n; r++) {
    onehot[r * 100 + ((r * 3) % 100)] = 1;
    feats[r * 600 + r] = 1;
  }
  writeFileSync(join(d4, 'purchase100.npz'), writeNpz({ features: { data: feats, shape: [n, 600] }, labels: { data: onehot, shape: [n, 100] } }, true));
  const z = await loadDataset('purchase100', { dataDir: d4, cacheDir: tmp.dir });
  assert.equal(z.train.n, n);
  assert.deepEqual([...z.train.y.subarray(0, 4)], [0, 3, 6, 9]);
  assert.equal(z.train.x[600 + 1], 1);

  // Truncated archive.
  const d5 = join(tmp.dir, 'purchase-trunc');
  mkdirSync(d5, { recursive: true });
  const full = readFileSync(join(d, 'purchase', 'dataset_purchase.tgz'));
  writeFileSync(join(d5, 'dataset_purchase.tgz'), full.subarray(0, full.length >> 1));
  await expectInputError(() => loadDataset('purchase100', { dataDir: d5, cacheDir: tmp.dir }), /^cannot read .*dataset_purchase\.tgz: /);
});

test('texas100: texas/100/feats + labels pair, single CSV, mismatched rows', async () => {
  const n = 12;
  const F = 6169;
  let feats = '';
  let labs = '';
  for (let r = 0; r < n; r++) {
    feats += Array.from({ length: F }, (_, j) => (j === r ? 1 : 0)).join(',') + '\n';
    labs += `${(r % 100) + 1}\n`;
  }
  const d = join(tmp.dir, 'texas-pair');
  mkdirSync(d, { recursive: true });
  makeTar(join(d, 'dataset_texas.tgz'), { 'texas/100/feats': feats, 'texas/100/labels': labs });
  const ds = await loadDataset('texas100', { dataDir: d, cacheDir: tmp.dir });
  assert.equal(ds.train.n, n);
  assert.deepEqual(ds.shape, [F]);
  assert.deepEqual([...ds.train.y], Array.from({ length: n }, (_, r) => r));
  assert.equal(ds.train.x[3 * F + 3], 1);

  const d2 = join(tmp.dir, 'texas-csv');
  mkdirSync(d2, { recursive: true });
  makeTar(join(d2, 'dataset_texas.tgz'), { 'texas100.csv': rows(8, F, 100).text });
  const ds2 = await loadDataset('texas100', { dataDir: d2, cacheDir: tmp.dir });
  assert.equal(ds2.train.n, 8);

  const d3 = join(tmp.dir, 'texas-mismatch');
  mkdirSync(d3, { recursive: true });
  makeTar(join(d3, 'dataset_texas.tgz'), { 'texas/100/feats': feats, 'texas/100/labels': '1\n2\n' });
  await expectInputError(() => loadDataset('texas100', { dataDir: d3, cacheDir: tmp.dir }), 'has 12 rows but texas/100/labels has 2');
});

test('limit keeps a class-balanced subset', async () => {
  const p = file('lim.csv', Array.from({ length: 40 }, (_, r) => `${r < 30 ? 0 : 1},${r}`).join('\n'));
  const ds = await loadDataset(`csv:${p}`, { limit: 10 });
  assert.equal(ds.train.n, 10);
  assert.deepEqual([...ds.train.y].filter((y) => y === 1).length, 5);
  assert.deepEqual([...ds.train.x], [0, 1, 2, 3, 4, 30, 31, 32, 33, 34]);
});
