#!/usr/bin/env node
// npm `install` hook of the packed package: builds the native addon (native/binding.gyp) against the libtorch
// that scripts/find-libtorch.mjs finds. In a checkout (src/ present) scripts/ensure.sh builds it instead.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findNodeHeaders } from './node-headers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (existsSync(join(root, 'src', 'cli', 'main.ts'))) process.exit(0);

const help = [
  'Install one, then reinstall cwrf (or run `npm rebuild cwrf`):',
  '  sudo apt-get install libtorch-dev        (Debian/Ubuntu: the system libtorch)',
  '  pip install torch                        (a Python torch on PATH; its bundled libtorch is used)',
  '  export LIBTORCH=/path/to/libtorch        (an unpacked libtorch from pytorch.org, e.g. a CUDA build)',
].join('\n');
const probe = spawnSync(process.execPath, [join(root, 'scripts', 'find-libtorch.mjs'), '--json'], { encoding: 'utf8' });
const found = probe.status === 0 ? probe.stdout.trim() : 'null';
if (found === 'null') {
  const why = probe.stderr.trim() || 'cwrf: no libtorch found';
  console.error(`${why}, so the native addon cannot be built. ${help}`);
  process.exit(1);
}
const { source } = JSON.parse(found);
console.error(`cwrf: building the native addon against libtorch from ${source}`);

// npm runs install scripts with its bundled node-gyp in npm_config_node_gyp; otherwise one on PATH.
const gyp = process.env.npm_config_node_gyp;
const [cmd, pre] = gyp ? [process.execPath, [gyp]] : ['node-gyp', []];
// Node's headers from this machine (no download); none: say what is missing, and let node-gyp try to download them.
const headers = findNodeHeaders();
if ('missing' in headers) console.error(`cwrf: ${headers.missing}`);
const local = 'dir' in headers ? [`--nodedir=${headers.dir}`] : [];
const r = spawnSync(cmd, [...pre, 'rebuild', '--directory', join(root, 'native'), '-j', String(availableParallelism()), ...local], {
  stdio: 'inherit',
});
if (r.status !== 0) {
  console.error('cwrf: the native build failed: it needs a C++17 compiler, make and python3 (sudo apt-get install g++ make python3)');
  process.exit(1);
}
