#!/usr/bin/env node
// Locates a libtorch for the native build, in this order:
//   1. $LIBTORCH (a libtorch directory with include/ and lib/, e.g. a CUDA build),
//   2. the `torch` package of a Python on PATH (its bundled include/ and lib/),
//   3. the system libtorch (/usr/include/torch, Debian's libtorch-dev).
// Usage: find-libtorch.mjs --json | --include | --libs | --cflags | --describe
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

function cxx11Abi(libDir) {
  // The pre-cxx11 ABI builds (older pip wheels) export no std::__cxx11 symbols.
  try {
    const out = execFileSync('nm', ['-D', '--defined-only', join(libDir, 'libc10.so')], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.includes('__cxx11') ? 1 : 0;
  } catch {
    return 1;
  }
}

function fromDir(root, source) {
  const inc = join(root, 'include');
  const lib = join(root, 'lib');
  if (!existsSync(join(inc, 'torch')) || !existsSync(join(lib, 'libc10.so'))) return null;
  const libs = readdirSync(lib);
  const cuda = libs.includes('libtorch_cuda.so');
  return {
    source,
    root,
    include: [inc, join(inc, 'torch/csrc/api/include')],
    libDir: lib,
    libs: ['-ltorch', '-ltorch_cpu', '-lc10', ...(cuda ? ['-ltorch_cuda', '-lc10_cuda'] : [])],
    cxx11Abi: cxx11Abi(lib),
    cuda,
  };
}

function fromPython() {
  for (const py of ['python3', 'python']) {
    try {
      const out = execFileSync(py, ['-c', 'import os, torch; print(os.path.dirname(torch.__file__))'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 60000,
      }).trim();
      const found = out && fromDir(out, `python (${py}): ${out}`);
      if (found) return found;
    } catch {
      /* no torch in this python */
    }
  }
  return null;
}

function fromSystem() {
  if (!existsSync('/usr/include/torch/csrc/api/include')) return null;
  const multiarch = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'];
  const libDir = multiarch.find((d) => existsSync(join(d, 'libc10.so')));
  if (!libDir) return null;
  return {
    source: 'system (libtorch-dev)',
    root: '/usr',
    include: ['/usr/include', '/usr/include/torch/csrc/api/include'],
    libDir,
    libs: ['-ltorch', '-ltorch_cpu', '-lc10'],
    cxx11Abi: 1,
    cuda: false,
  };
}

export function findLibtorch() {
  if (process.env.LIBTORCH) {
    const r = fromDir(process.env.LIBTORCH, `LIBTORCH=${process.env.LIBTORCH}`);
    if (!r) throw new Error(`LIBTORCH=${process.env.LIBTORCH} has no include/torch and lib/libc10.so`);
    return r;
  }
  return fromPython() ?? fromSystem();
}

const mode = process.argv[2] ?? '--describe';
let found;
try {
  found = findLibtorch();
} catch (e) {
  console.error(`cwrf: ${e.message}`);
  process.exit(1);
}
if (!found) {
  if (mode === '--json') console.log('null');
  else console.error('cwrf: no libtorch found (set LIBTORCH, install python torch, or apt-get install libtorch-dev)');
  process.exit(mode === '--json' ? 0 : 1);
}
if (mode === '--json') console.log(JSON.stringify(found));
else if (mode === '--include') console.log(found.include.join(' '));
else if (mode === '--libs')
  console.log([`-L${found.libDir}`, `-Wl,-rpath,${found.libDir}`, '-Wl,--no-as-needed', ...found.libs].join(' '));
else if (mode === '--cflags') console.log(`-D_GLIBCXX_USE_CXX11_ABI=${found.cxx11Abi}`);
else console.log(`libtorch: ${found.source} (lib ${found.libDir}${found.cuda ? ', CUDA' : ''})`);
