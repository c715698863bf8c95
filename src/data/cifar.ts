// CIFAR-10 / CIFAR-100 official binary releases (cifar-10-binary.tar.gz, cifar-100-binary.tar.gz).
// Record layout: CIFAR-10 = 1 label byte + 3072 pixel bytes; CIFAR-100 = coarse byte, fine byte, 3072 bytes.
// Pixels are 1024 R, 1024 G, 1024 B, each 32x32 row-major: already CHW.
import { InputError } from '../util/errors.ts';
import { readTar, type ArchiveEntry } from './io.ts';
import type { Dataset, Tensorish } from './types.ts';

export const CIFAR10_CLASSES = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];

export const CIFAR100_CLASSES = [
  'apple', 'aquarium_fish', 'baby', 'bear', 'beaver', 'bed', 'bee', 'beetle', 'bicycle', 'bottle',
  'bowl', 'boy', 'bridge', 'bus', 'butterfly', 'camel', 'can', 'castle', 'caterpillar', 'cattle',
  'chair', 'chimpanzee', 'clock', 'cloud', 'cockroach', 'couch', 'crab', 'crocodile', 'cup', 'dinosaur',
  'dolphin', 'elephant', 'flatfish', 'forest', 'fox', 'girl', 'hamster', 'house', 'kangaroo', 'keyboard',
  'lamp', 'lawn_mower', 'leopard', 'lion', 'lizard', 'lobster', 'man', 'maple_tree', 'motorcycle', 'mountain',
  'mouse', 'mushroom', 'oak_tree', 'orange', 'orchid', 'otter', 'palm_tree', 'pear', 'pickup_truck', 'pine_tree',
  'plain', 'plate', 'poppy', 'porcupine', 'possum', 'rabbit', 'raccoon', 'ray', 'road', 'rocket',
  'rose', 'sea', 'seal', 'shark', 'shrew', 'skunk', 'skyscraper', 'snail', 'snake', 'spider',
  'squirrel', 'streetcar', 'sunflower', 'sweet_pepper', 'table', 'tank', 'telephone', 'television', 'tiger', 'tractor',
  'train', 'trout', 'tulip', 'turtle', 'wardrobe', 'whale', 'willow_tree', 'wolf', 'woman', 'worm',
];

const PIXELS = 3072;

function base(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Parses concatenated binary records into a Tensorish (labels checked against `classes`). */
export function parseCifarRecords(
  chunks: { name: string; data: Uint8Array }[],
  labelBytes: 1 | 2,
  classes: number,
  where: string,
): Tensorish {
  const rec = labelBytes + PIXELS;
  let n = 0;
  for (const c of chunks) {
    if (c.data.length % rec !== 0) {
      throw new InputError(
        `cannot read ${where}: ${c.name} has ${c.data.length} bytes, not a whole number of ${rec}-byte records (truncated?)`,
      );
    }
    n += c.data.length / rec;
  }
  const x = new Float32Array(n * PIXELS);
  const y = new Int32Array(n);
  const s = 1 / 255;
  let r = 0;
  for (const c of chunks) {
    const m = c.data.length / rec;
    for (let i = 0; i < m; i++, r++) {
      const o = i * rec;
      const label = c.data[o + labelBytes - 1]; // CIFAR-100: the fine label is the second byte
      if (label >= classes) {
        throw new InputError(`cannot read ${where}: ${c.name} record ${i + 1} has label ${label}, expected 0..${classes - 1}`);
      }
      y[r] = label;
      const xo = r * PIXELS;
      for (let k = 0; k < PIXELS; k++) x[xo + k] = c.data[o + labelBytes + k] * s;
    }
  }
  return { x, y, n };
}

function pick(entries: ArchiveEntry[], names: string[], where: string): { name: string; data: Uint8Array }[] {
  return names.map((nm) => {
    const e = entries.find((en) => base(en.path) === nm);
    if (!e) throw new InputError(`cannot read ${where}: the archive has no ${nm}`);
    return { name: nm, data: e.data };
  });
}

/** Loads CIFAR-10 or CIFAR-100 from the official binary tar.gz (already checksum-verified by the caller). */
export function loadCifarBinary(which: 'cifar10' | 'cifar100', file: string, buf: Uint8Array, sha256?: string): Dataset {
  const wanted =
    which === 'cifar10'
      ? ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin']
      : ['train.bin', 'test.bin'];
  const metaName = which === 'cifar10' ? 'batches.meta.txt' : 'fine_label_names.txt';
  const entries = readTar(file, buf, (p) => wanted.includes(base(p)) || base(p) === metaName);
  const classes = which === 'cifar10' ? 10 : 100;
  const labelBytes = which === 'cifar10' ? 1 : 2;
  const trainNames = wanted.slice(0, -1);
  const testNames = wanted.slice(-1);
  const train = parseCifarRecords(pick(entries, trainNames, file), labelBytes, classes, file);
  const test = parseCifarRecords(pick(entries, testNames, file), labelBytes, classes, file);
  let classNames = which === 'cifar10' ? CIFAR10_CLASSES : CIFAR100_CLASSES;
  const meta = entries.find((e) => base(e.path) === metaName);
  if (meta) {
    const names = new TextDecoder()
      .decode(meta.data)
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (names.length === classes) classNames = names;
  }
  const ds: Dataset = {
    name: which,
    shape: [3, 32, 32],
    classes,
    classNames: [...classNames],
    train,
    test,
    source: file,
  };
  if (sha256) ds.sha256 = sha256;
  return ds;
}
