// Crash-safe file and directory output.
//
// Files: data goes to a temp file in the same directory (same filesystem, so rename is atomic),
// is fsynced, then renamed over the destination; the directory entry is fsynced too (best effort).
// Directories: built under `<final>.tmp-<pid>-<rand>` and renamed into place at the end. An existing
// final directory is first renamed away to `<final>.old-<pid>-<rand>` and removed after the new one is
// in place, so a crash at any point leaves either the old complete directory, the new complete one,
// or (between the two renames) none under the final name, never a half-written one. Leftovers of a
// crash can be cleaned with `removeStaleTempDirs`.

import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, promises as fsp, renameSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { WriteError, writeError } from './fs-errors.ts';

/** Data accepted by writeFileAtomic: a string (written as UTF-8), bytes, or a list of byte chunks. */
export type AtomicData = string | Uint8Array | Buffer | (Uint8Array | Buffer)[];

function suffix(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** fsync a directory so a rename inside it is durable; ignored where the platform refuses (EISDIR, EPERM, ...). */
async function fsyncDir(dir: string): Promise<void> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch {
    // Directory fsync is unsupported on some platforms/filesystems: durability is best effort there.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

async function writeAll(fh: fsp.FileHandle, data: AtomicData): Promise<void> {
  if (typeof data === 'string') {
    await fh.writeFile(data, 'utf8');
    return;
  }
  const chunks = Array.isArray(data) ? data : [data];
  for (const chunk of chunks) {
    let off = 0;
    while (off < chunk.byteLength) {
      const { bytesWritten } = await fh.write(chunk, off, chunk.byteLength - off);
      off += bytesWritten;
    }
  }
}

/**
 * Writes `data` to `path` atomically: temp file `.<name>.tmp-<pid>-<rand>` beside it, fsync, rename.
 * Readers see either the old content or the new one. The temp file is removed on failure.
 */
export async function writeFileAtomic(path: string, data: AtomicData): Promise<void> {
  const dir = dirname(resolve(path));
  const tmp = join(dir, `.${basename(path)}.tmp-${suffix()}`);
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(tmp, 'wx');
    await writeAll(fh, data);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await fsp.rename(tmp, path);
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw writeError(err, path);
  }
  await fsyncDir(dir);
}

/** Writes `obj` as pretty JSON (2-space indent) with a trailing newline, atomically. */
export async function writeJsonAtomic(path: string, obj: unknown): Promise<void> {
  const text = JSON.stringify(obj, null, 2);
  if (text === undefined) throw new TypeError(`writeJsonAtomic(${path}): value is not JSON-serializable`);
  await writeFileAtomic(path, text + '\n');
}

/**
 * Creates and returns a fresh empty directory `<finalDir>.tmp-<pid>-<rand>` beside `finalDir`
 * (creating the parent if needed), to be filled and then passed to commitDirAtomic.
 */
export async function makeTempDirBeside(finalDir: string): Promise<string> {
  const final = resolve(finalDir);
  try {
    await fsp.mkdir(dirname(final), { recursive: true });
    const tmp = `${final}.tmp-${suffix()}`;
    await fsp.mkdir(tmp);
    return tmp;
  } catch (err) {
    throw writeError(err, finalDir);
  }
}

/** fsyncs every regular file and directory under `dir` (so the renamed tree is durable). */
async function fsyncTree(dir: string): Promise<void> {
  for (const ent of await fsp.readdir(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) await fsyncTree(p);
    else if (ent.isFile()) {
      const fh = await fsp.open(p, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
  }
  await fsyncDir(dir);
}

/**
 * Moves the finished directory `tmpDir` to `finalDir`. If `finalDir` exists it is first renamed to
 * `<finalDir>.old-<pid>-<rand>`, then `tmpDir` is renamed into place, then the old one is removed.
 * If the second rename fails the old directory is put back. Both must be on the same filesystem
 * (use makeTempDirBeside). Files are fsynced first unless `opts.fsync` is false.
 */
export async function commitDirAtomic(tmpDir: string, finalDir: string, opts: { fsync?: boolean } = {}): Promise<void> {
  const final = resolve(finalDir);
  const tmp = resolve(tmpDir);
  try {
    await commitDir(tmp, final, opts.fsync !== false);
  } catch (err) {
    throw writeError(err, finalDir);
  }
}

async function commitDir(tmp: string, final: string, fsync: boolean): Promise<void> {
  if (fsync) await fsyncTree(tmp);
  let old: string | undefined;
  try {
    const st = await fsp.lstat(final);
    if (!st.isDirectory()) throw new Error(`commitDirAtomic: ${final} exists and is not a directory`);
    old = `${final}.old-${suffix()}`;
    await fsp.rename(final, old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    await fsp.rename(tmp, final);
  } catch (err) {
    if (old !== undefined) await fsp.rename(old, final).catch(() => undefined);
    throw err;
  }
  await fsyncDir(dirname(final));
  if (old !== undefined) await fsp.rm(old, { recursive: true, force: true });
}

/**
 * Builds `finalDir` atomically: `build(tmp)` fills a temp directory beside it, which is then committed
 * with commitDirAtomic. If `build` (or the commit) throws, the temp directory is removed and the
 * error rethrown; an existing `finalDir` is then left untouched. Returns what `build` returned.
 */
export async function writeDirAtomic<T>(finalDir: string, build: (tmpDir: string) => Promise<T> | T): Promise<T> {
  const tmp = await makeTempDirBeside(finalDir);
  try {
    const result = await build(tmp);
    await commitDirAtomic(tmp, finalDir);
    return result;
  } catch (err) {
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw inFinalDir(err, tmp, finalDir);
  }
}

/** A write error inside the temp directory `tmp`, renamed to the file's place in `finalDir` (what the user asked for). */
function inFinalDir(err: unknown, tmp: string, finalDir: string): Error {
  if (err instanceof WriteError) {
    const rel = relative(tmp, resolve(err.path));
    const inside = rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'));
    return inside ? new WriteError(rel ? join(finalDir, rel) : finalDir, err.code, err.reason) : err;
  }
  return writeError(err, finalDir);
}

/**
 * Runs `fn` with a fresh directory under the OS temp dir (or `opts.parent`) and always removes it
 * afterwards, whether `fn` succeeds or throws.
 */
export async function withTempDir<T>(fn: (dir: string) => Promise<T> | T, opts: { prefix?: string; parent?: string } = {}): Promise<T> {
  const parent = opts.parent ?? tmpdir();
  await fsp.mkdir(parent, { recursive: true });
  const dir = await fsp.mkdtemp(join(parent, opts.prefix ?? 'cwrf-'));
  try {
    return await fn(dir);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Cleans up after crashed writes beside `finalPath`: `<final>.tmp-<pid>-*` / `<final>.old-<pid>-*`
 * directories and `.<name>.tmp-<pid>-*` files whose process is no longer running. If `finalPath` itself
 * is missing (a crash between the two renames of commitDirAtomic), the newest stale `.old-` directory
 * is renamed back to `finalPath` instead of being removed. Returns the removed paths.
 */
export async function removeStaleTempDirs(finalPath: string): Promise<string[]> {
  const final = resolve(finalPath);
  const dir = dirname(final);
  const base = basename(final);
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const stale: { path: string; old: boolean }[] = [];
  for (const name of names) {
    for (const pre of [`${base}.tmp-`, `${base}.old-`, `.${base}.tmp-`]) {
      if (!name.startsWith(pre)) continue;
      const m = /^(\d+)-[0-9a-f]+$/.exec(name.slice(pre.length));
      if (!m) continue;
      const pid = Number(m[1]);
      if (pid === process.pid || pidAlive(pid)) continue; // possibly still being written
      stale.push({ path: join(dir, name), old: pre === `${base}.old-` });
    }
  }
  const finalExists = await fsp.lstat(final).then(
    () => true,
    () => false,
  );
  if (!finalExists) {
    const olds = stale.filter((s) => s.old);
    let newest: { path: string; mtime: number } | undefined;
    for (const o of olds) {
      const mtime = (await fsp.stat(o.path)).mtimeMs;
      if (!newest || mtime > newest.mtime) newest = { path: o.path, mtime };
    }
    if (newest) {
      await fsp.rename(newest.path, final);
      const restored = newest.path;
      stale.splice(stale.findIndex((s) => s.path === restored), 1);
    }
  }
  const removed: string[] = [];
  for (const s of stale) {
    await fsp.rm(s.path, { recursive: true, force: true });
    removed.push(s.path);
  }
  return removed;
}

/** Synchronous writeFileAtomic for code paths that cannot await (the decoded-image cache). */
export function writeFileAtomicSync(file: string, parts: Uint8Array[]): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (e) {
    throw writeError(e, file);
  }
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (const p of parts) {
        let o = 0;
        while (o < p.byteLength) o += writeSync(fd, p, o, p.byteLength - o);
      }
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw writeError(e, file);
  }
}
