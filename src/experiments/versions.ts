// Versions recorded with every output, for reproducibility.
import { readFileSync } from 'node:fs';
import { torchVersion } from '../engine/index.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** cwrf, libtorch and Node versions. */
export function versions(): Record<string, string> {
  return { cwrf: pkg.version, libtorch: torchVersion, node: process.version };
}
