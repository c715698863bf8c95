// CIFAR-10, the official binary release.
import { loadCifarBinary } from '../cifar.ts';
import type { DatasetEntry } from './types.ts';

const CIFAR10_SHA = 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd';

export const cifar10Dataset: DatasetEntry = {
  kind: 'image',
  info: {
    name: 'cifar10',
    description: 'CIFAR-10, official binary release',
    file: 'cifar-10-binary.tar.gz',
    sha256: CIFAR10_SHA,
    examples: '50,000 train + 10,000 test',
    classes: 10,
    features: '3x32x32 RGB in [0,1]',
  },
  candidates: [{ file: 'cifar-10-binary.tar.gz', sha256: CIFAR10_SHA, kind: 'tgz' }],
  subdirs: ['cifar10', 'cifar-10'],
  load: (path, _c, buf, sha) => loadCifarBinary('cifar10', path, buf, sha),
};
