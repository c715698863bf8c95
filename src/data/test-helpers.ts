// Shared helpers for the data-layer tests (not a test file itself).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';
import { InputError } from '../util/errors.ts';

/** The read-only shared data folder (../shared/data next to the repository), or null if absent. */
export function sharedDataDir(): string | null {
  const candidates = [process.env.CWRF_SHARED_DATA, join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'data')];
  for (const c of candidates) if (c && existsSync(c)) return c;
  return null;
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
