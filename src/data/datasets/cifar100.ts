// CIFAR-100, the official binary release (fine labels).
import { loadCifarBinary } from '../cifar.ts';
import type { DatasetEntry } from './types.ts';

const CIFAR100_SHA = '58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a4ef73e';

export const cifar100Dataset: DatasetEntry = {
  kind: 'image',
  info: {
    name: 'cifar100',
    description: 'CIFAR-100, official binary release (fine labels)',
    file: 'cifar-100-binary.tar.gz',
    sha256: CIFAR100_SHA,
    examples: '50,000 train + 10,000 test',
    classes: 100,
    features: '3x32x32 RGB in [0,1]',
  },
  candidates: [{ file: 'cifar-100-binary.tar.gz', sha256: CIFAR100_SHA, kind: 'tgz' }],
  subdirs: ['cifar100', 'cifar-100'],
  load: (path, _c, buf, sha) => loadCifarBinary('cifar100', path, buf, sha),
};
