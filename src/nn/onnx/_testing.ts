// Test helpers: ONNX fixtures exported by PyTorch at test time (fixtures/make_fixtures.py), read back as arrays.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNpy, parseNpz, type NdArray } from '../../data/npy.ts';

const PYTHON = process.env.CWRF_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./fixtures/make_fixtures.py', import.meta.url));
let made: { dir: string } | { skip: string } | null = null;

/** Why PyTorch fixtures cannot be made here (undefined when they can). On CI a missing torch is a failure. */
export function fixtureSkip(): string | undefined {
  const f = fixtures();
  if (!('skip' in f)) return undefined;
  if (process.env.CI) throw new Error(`ONNX tests need ${PYTHON} with torch on CI: ${f.skip} (scripts/ensure.sh installs python3-torch when CI is set)`);
  return f.skip;
}

/** The fixture folder (made once per process, in seconds). */
export function fixtureDir(): string {
  const f = fixtures();
  if ('skip' in f) throw new Error(f.skip);
  return f.dir;
}

function fixtures(): { dir: string } | { skip: string } {
  if (made) return made;
  if (!existsSync(PYTHON)) return (made = { skip: `${PYTHON} not found` });
  const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) return (made = { skip: `${PYTHON} cannot import torch (apt-get install python3-torch, or set CWRF_PYTHON)` });
  const dir = mkdtempSync(join(tmpdir(), 'cwrf-onnx-fixtures-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const r = spawnSync(PYTHON, [SCRIPT, dir], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  if (r.status !== 0) throw new Error(`make_fixtures.py failed: ${r.stderr.slice(-2000)}`);
  return (made = { dir });
}

export function npy(path: string): NdArray {
  return parseNpy(readFileSync(path), path);
}
export function npz(path: string): Record<string, NdArray> {
  return parseNpz(readFileSync(path), path);
}

/** Largest absolute difference. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
