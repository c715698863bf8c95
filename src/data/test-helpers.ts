// Shared helpers for the data-layer tests (not a test file itself).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';
import { InputError } from '../util/errors.ts';

const BESIDE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'data');

/** The shared data folder if present, and where a file in it is looked for (the end of a skip reason). */
function sharedLookup(): { dir: string | null; where: string } {
  const env = process.env.CWRF_SHARED_DATA;
  if (env === 'none') return { dir: null, where: 'not looked for: CWRF_SHARED_DATA=none hides the shared data' };
  if (env) return { dir: existsSync(env) ? resolve(env) : null, where: `not found in ${resolve(env)} (CWRF_SHARED_DATA)` };
  const beside = resolve(BESIDE);
  return { dir: existsSync(beside) ? beside : null, where: `not found in ${beside} (../shared/data beside the repository; CWRF_SHARED_DATA=DIR points elsewhere)` };
}

/**
 * The read-only shared data folder: $CWRF_SHARED_DATA ('none' hides it), else ../shared/data beside the
 * repository; null when absent or hidden. The one place the tests and benchmarks find the real data files.
 */
export function sharedDataDir(): string | null {
  return sharedLookup().dir;
}

/** A data file the tests need from the shared folder (`rel`: path inside it, e.g. location/dataset_location.tgz). */
export interface SharedFile {
  /** The shared folder holding the file, or null. */
  dir: string | null;
  /** False when the file is there, else the one-line reason to skip naming the file and where it was looked for. */
  skip: string | false;
}

/**
 * Finds `rel` in the shared data folder. Missing: a skip reason, or, with CWRF_REQUIRE_SHARED_DATA=1 (the CI
 * pass with the data), an error, so that a test that needs the file cannot pass by being skipped.
 */
export function sharedFile(rel: string): SharedFile {
  const { dir, where } = sharedLookup();
  if (dir && existsSync(join(dir, rel))) return { dir, skip: false };
  const reason = `needs ${rel}, ${where}`;
  if (process.env.CWRF_REQUIRE_SHARED_DATA === '1') throw new Error(`CWRF_REQUIRE_SHARED_DATA=1: this test ${reason}`);
  return { dir: null, skip: reason };
}

/** A fresh temp dir and its cleanup. */
export function tempDir(prefix = 'cwrf-data-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes files (relative path -> content) under `root`, creating folders. */
export function writeTree(root: string, files: Record<string, string | Uint8Array>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
}

/** Creates a .tar.gz (gzip=true) or .tar at `out` from `files` (relative path -> content). */
export function makeTar(out: string, files: Record<string, string | Uint8Array>, gzip = true): void {
  const { dir, cleanup } = tempDir('cwrf-tar-src-');
  try {
    writeTree(dir, files);
    tar.c({ gzip, file: out, cwd: dir, sync: true, portable: true }, Object.keys(files));
  } finally {
    cleanup();
  }
}

/** Asserts that `fn` rejects/throws an InputError whose one-line message matches every pattern. */
export async function expectInputError(fn: () => unknown, ...patterns: (RegExp | string)[]): Promise<string> {
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  if (!(err instanceof InputError)) {
    throw new Error(`expected an InputError, got ${err === undefined ? 'no error' : String((err as Error)?.stack ?? err)}`);
  }
  const msg = err.message;
  if (msg.includes('\n')) throw new Error(`InputError message is not one line: ${msg}`);
  for (const p of patterns) {
    const ok = typeof p === 'string' ? msg.includes(p) : p.test(msg);
    if (!ok) throw new Error(`InputError message ${JSON.stringify(msg)} does not match ${String(p)}`);
  }
  return msg;
}
