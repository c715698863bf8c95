// Versions recorded with every output, for reproducibility.
import { readFileSync } from 'node:fs';
import { blasDescription, torchVersion } from '../engine/index.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** cwrf, libtorch, BLAS (library and kernels) and Node versions. */
export function versions(): Record<string, string> {
  return { cwrf: pkg.version, libtorch: torchVersion, blas: blasDescription(), node: process.version };
}
