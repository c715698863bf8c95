import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datasetKind, listDatasets } from '../index.ts';
import { DATASETS } from './index.ts';

test('every named dataset declares its kind; "is this an image dataset?" is its entry\'s answer', () => {
  assert.deepEqual(
    listDatasets().map((d) => d.name),
    DATASETS.map((d) => d.info.name),
  );
  const kinds = Object.fromEntries(DATASETS.map((d) => [d.info.name, d.kind]));
  assert.deepEqual(kinds, {
    mnist: 'tabular',
    synthetic: 'tabular',
    location: 'tabular',
    purchase100: 'tabular',
    texas100: 'tabular',
    cifar10: 'image',
    cifar100: 'image',
    'cifar10-jpeg': 'image',
  });
  for (const d of DATASETS) assert.equal(datasetKind(d.info.name), d.kind);
  assert.equal(datasetKind('imagefolder:/x'), 'image');
  assert.equal(datasetKind('csv:/a.csv'), 'tabular');
  assert.equal(datasetKind('synthetic:n=10'), 'tabular');
  assert.equal(datasetKind('cinic10'), 'tabular', 'a name nothing registers is not an image dataset');
});
