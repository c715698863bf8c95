import { loadDataset } from './index.ts';
import { rmSync } from 'node:fs';
rmSync('/tmp/cwrf-prof', { recursive: true, force: true });
let t0 = performance.now();
const ds = await loadDataset('cifar10-jpeg', { dataDir: '/work/shared/data', cacheDir: '/tmp/cwrf-prof' });
console.log('decode', performance.now() - t0);
t0 = performance.now();
const ds2 = await loadDataset('cifar10-jpeg', { dataDir: '/work/shared/data', cacheDir: '/tmp/cwrf-prof' });
console.log('cached', performance.now() - t0, ds.train.n, ds2.train.n);
