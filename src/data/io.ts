// File helpers for the data loaders: checksums, archive reading, search paths, cache files.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tar from 'tar';
import { InputError } from '../util/errors.ts';
import type { LoadOptions } from './types.ts';

/** First line of an error's message, without library prefixes like "Error: ". */
export function reason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return (msg.split('\n')[0] || 'unknown error').trim();
}

/** Re-throws InputErrors; wraps anything else as InputError("cannot read <file>: <reason>"). */
export function wrapRead<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read ${file}: ${reason(e)}`);
  }
}

/** Reads a whole file; missing/unreadable files become InputErrors. @internal */
export function readFileOrThrow(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`file not found: ${file}`);
    if (code === 'EISDIR') throw new InputError(`expected a file but found a directory: ${file}`);
    throw new InputError(`cannot read ${file}: ${reason(e)}`);
  }
}

/** Lower-case hex sha256 of a buffer. */
export function sha256(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** Throws an InputError naming the file, the expected and the actual sha256 when they differ. */
export function verifySha256(file: string, buf: Uint8Array, expected: string | undefined): string {
  const actual = sha256(buf);
  if (expected && actual !== expected.toLowerCase()) {
    throw new InputError(
      `checksum mismatch for ${file}: expected sha256 ${expected}, got ${actual} (corrupt or wrong file; delete it and fetch it again)`,
    );
  }
  return actual;
}

/** One file inside an archive. */
export interface ArchiveEntry {
  path: string;
  data: Uint8Array;
}

/** Normalizes archive member paths: forward slashes, no leading "./" or "/". */
export function normPath(p: string): string {
  let s = p.replace(/\\/g, '/');
  while (s.startsWith('./')) s = s.slice(2);
  while (s.startsWith('/')) s = s.slice(1);
  return s;
}

/**
 * Reads the regular files of a .tar / .tar.gz buffer (synchronously).
 * `want(path)` selects members to keep (default: all). Corrupt/truncated archives throw
 * InputError("cannot read <file>: <reason>").
 */
export function readTar(file: string, buf: Uint8Array, want: (path: string) => boolean = () => true): ArchiveEntry[] {
  const out: ArchiveEntry[] = [];
  let error: string | null = null;
  let ended = false;
  const parser = new tar.Parser({
    strict: true,
    onReadEntry: (entry) => {
      const path = normPath(entry.path);
      if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') {
        entry.resume();
        return;
      }
      if (!want(path)) {
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => out.push({ path, data: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) }));
    },
  });
  parser.on('error', (e: Error) => {
    error ??= reason(e).replace(/^zlib: /, '');
  });
  parser.on('warn', (_code: string, msg: string | Error) => {
    error ??= reason(msg);
  });
  parser.on('end', () => {
    ended = true;
  });
  try {
    parser.end(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
  } catch (e) {
    error ??= reason(e);
  }
  if (error !== null) {
    const why = (error as string).replace(/^TAR_[A-Z_]+: /, '');
    throw new InputError(`cannot read ${file}: ${why.charAt(0).toLowerCase()}${why.slice(1)}`);
  }
  if (!ended) throw new InputError(`cannot read ${file}: truncated archive`);
  return out;
}

/** Root of cwrf's caches: opts.cacheDir ?? $CWRF_CACHE_DIR ?? ~/.cache/cwrf. */
export function cacheRoot(opts: LoadOptions = {}): string {
  return resolve(opts.cacheDir ?? process.env.CWRF_CACHE_DIR ?? join(homedir(), '.cache', 'cwrf'));
}

/** Directories searched for named datasets' files, in order (duplicates removed). */
export function dataSearchPath(opts: LoadOptions = {}): string[] {
  const dirs = [opts.dataDir, process.env.CWRF_DATA_DIR, join(cacheRoot(opts), 'data')]
    .filter((d): d is string => typeof d === 'string' && d.length > 0)
    .map((d) => resolve(d));
  return [...new Set(dirs)];
}

/**
 * Finds the first existing candidate file: for each directory of the search path, tries
 * `<dir>/<file>` then `<dir>/<sub>/<file>` for each sub-folder name.
 */
export function findDataFile(
  files: string[],
  subdirs: string[],
  opts: LoadOptions,
): { path: string; file: string; searched: string[] } | { path: null; searched: string[] } {
  const searched: string[] = [];
  for (const dir of dataSearchPath(opts)) {
    for (const d of [dir, ...subdirs.map((s) => join(dir, s))]) {
      searched.push(d);
      for (const f of files) {
        const p = join(d, f);
        if (existsSync(p) && statSync(p).isFile()) return { path: p, file: f, searched };
      }
    }
  }
  return { path: null, searched };
}

