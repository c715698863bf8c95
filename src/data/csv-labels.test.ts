import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { withTempDir } from '../io/atomic.ts';
import { InputError } from '../util/errors.ts';
import { checkLabelsCategorical, labelColumnIndex, maxClasses, resolveLabelColumn } from './csv-labels.ts';
import { readCsvFile } from './tabular.ts';

const refused = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => e instanceof InputError && re.test(e.message) && !e.message.includes('\n'));

test('a label column is named by first, last, an index (negative from the end) or a header name', () => {
  const header = ['age', 'income', 'Label'];
  assert.equal(resolveLabelColumn(header, 'first', 'f.csv'), 0);
  assert.equal(resolveLabelColumn(header, 'last', 'f.csv'), 2);
  assert.equal(resolveLabelColumn(header, 1, 'f.csv'), 1);
  assert.equal(resolveLabelColumn(header, '1', 'f.csv'), 1);
  assert.equal(resolveLabelColumn(header, -1, 'f.csv'), 2);
  assert.equal(resolveLabelColumn(header, 'Label', 'f.csv'), 2);
  assert.equal(resolveLabelColumn(header, 'label', 'f.csv'), 2, 'case-insensitive when unambiguous');
  refused(() => resolveLabelColumn(header, 3, 'f.csv'), /label column 3 does not exist \(the file has 3 columns\)/);
  refused(() => resolveLabelColumn(header, 'y', 'f.csv'), /no column named 'y' \(the header has: age, income, Label\)/);
  refused(() => resolveLabelColumn(['1', '2.5', '3'], 'y', 'f.csv'), /no column named 'y' \(the file has no header row: give --label-column first, last or an index\)/);
});

test('continuous label values are refused naming the column and the flag to use; class labels pass', () => {
  const rows = 300;
  const d = 3;
  const x = new Float32Array(rows * d);
  for (let r = 0; r < rows; r++) {
    x[r * d] = r * 0.37; // continuous
    x[r * d + 1] = 18 + (r % 70); // integer-valued but 70 distinct values
    x[r * d + 2] = r % 3; // classes
  }
  const header = ['a', 'b', 'c', 'y'];
  const floats = Array.from({ length: rows }, (_, r) => String(r / 7));
  refused(
    () => checkLabelsCategorical({ file: 'f.csv', index: 0, labels: floats, x, d, header: ['w', 'a', 'b', 'c'] }),
    /f\.csv: label column 0 \('w'\) looks continuous \(non-integer values such as 0\.142857\d*\), not class labels: did you mean --label-column c \(column 3: 3 distinct integer values\)\?/,
  );
  const ages = Array.from({ length: rows }, (_, r) => String(20 + (r % 60)));
  assert.equal(maxClasses(rows), 30);
  refused(() => checkLabelsCategorical({ file: 'f.csv', index: 3, labels: ages, x, d, header }), /label column 3 \('y'\) looks continuous \(60 distinct values in 300 rows \(at most 30 classes\)\).*--label-column c/);
  refused(() => checkLabelsCategorical({ file: 'f.csv', index: 0, labels: floats, x, d, header: null }), /label column 0 looks continuous.*did you mean --label-column last \(column 3/);
  checkLabelsCategorical({ file: 'f.csv', index: 3, labels: Array.from({ length: rows }, (_, r) => String(r % 10)), x, d, header });
  checkLabelsCategorical({ file: 'f.csv', index: 3, labels: Array.from({ length: rows }, (_, r) => ['cat', 'dog'][r % 2]), x, d, header });
  checkLabelsCategorical({ file: 'f.csv', index: 0, labels: ['1', '4', '7'], x: new Float32Array(3), d: 1, header: null }); // a tiny file: up to 10 classes
});

test('readCsvFile takes the label column by header name and records its index; the first column of a float table is refused', async () => {
  await withTempDir(async (dir) => {
    const f = join(dir, 'my.csv');
    const lines = ['x0,x1,y', ...Array.from({ length: 200 }, (_, r) => `${(r * 0.013).toFixed(3)},${((r * 7) % 11) / 3},${r % 4}`)];
    writeFileSync(f, `${lines.join('\n')}\n`);
    const t = await readCsvFile(f, 'y');
    assert.deepEqual([t.labelColumn, t.d, t.n, t.classNames], [2, 2, 200, ['0', '1', '2', '3']]);
    assert.deepEqual(t.header, ['x0', 'x1', 'y']);
    assert.equal(labelColumnIndex(f, 'y'), 2);
    assert.equal(labelColumnIndex(f, 'last'), 2);
    await assert.rejects(readCsvFile(f), /label column 0 \('x0'\) looks continuous .*did you mean --label-column y \(column 2: 4 distinct integer values\)\?/);
    assert.throws(() => labelColumnIndex(join(dir, 'none.csv'), 'y'), /file not found: .*none\.csv/);
  });
});
