// Purchase-100 (privacytrustlab): the release tarball, its CSV, or an npz.
import { tabularNamed } from './arrays.ts';
import type { DatasetEntry } from './types.ts';

export const purchase100Dataset: DatasetEntry = {
  kind: 'tabular',
  info: {
    name: 'purchase100',
    description: 'Purchase-100 (Kaggle shopping histories; Shokri et al. 2017), privacytrustlab/datasets',
    file: 'dataset_purchase.tgz',
    examples: '197,324',
    classes: 100,
    features: '600 binary',
  },
  candidates: [
    { file: 'dataset_purchase.tgz', kind: 'tgz' },
    { file: 'dataset_purchase', kind: 'csv' },
    { file: 'purchase100.npz', kind: 'npz' },
  ],
  subdirs: ['purchase100', 'purchase'],
  load: tabularNamed('purchase100', 'dataset_purchase', 600, 100),
};
