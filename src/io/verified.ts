// Files that carry the SHA-256 of their bytes beside them (`<file>.sha256`, written atomically after the file),
// so a read can tell a damaged file (a flipped byte of the same size parses fine) from a good one. A file with
// no digest (written before digests existed) reads as 'unverified'; the caller decides whether to trust it.
import { createHash } from 'node:crypto';
import { promises as fsp, readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic, writeFileAtomicSync } from './atomic.ts';
import { errnoCode } from './fs-errors.ts';

/** The digest file of `file`. */
export function digestFile(file: string): string {
  return `${file}.sha256`;
}

/** Lower-case hex SHA-256 of bytes. */
export function sha256Hex(parts: Uint8Array | Uint8Array[]): string {
  const h = createHash('sha256');
  for (const p of Array.isArray(parts) ? parts : [parts]) h.update(p);
  return h.digest('hex');
}

/** What a verified read found. */
export type VerifiedRead =
  | { state: 'verified' | 'unverified'; bytes: Buffer }
  | { state: 'mismatch'; bytes: Buffer; expected: string; actual: string }
  | { state: 'missing' };

function judge(bytes: Buffer, digest: string | null): VerifiedRead {
  if (digest === null) return { state: 'unverified', bytes };
  const expected = digest.trim();
  const actual = sha256Hex(bytes);
  return actual === expected ? { state: 'verified', bytes } : { state: 'mismatch', bytes, expected, actual };
}

const absent = (e: unknown) => errnoCode(e) === 'ENOENT';

/** Reads `file` and checks its bytes against its digest. */
export async function readVerified(file: string): Promise<VerifiedRead> {
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(file);
  } catch (e) {
    if (absent(e)) return { state: 'missing' };
    throw e;
  }
  const digest = await fsp.readFile(digestFile(file), 'utf8').catch((e: unknown) => {
    if (absent(e)) return null;
    throw e;
  });
  return judge(bytes, digest);
}

/** readVerified for code paths that cannot await (training checkpoints). */
export function readVerifiedSync(file: string): VerifiedRead {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    if (absent(e)) return { state: 'missing' };
    throw e;
  }
  let digest: string | null = null;
  try {
    digest = readFileSync(digestFile(file), 'utf8');
  } catch (e) {
    if (!absent(e)) throw e;
  }
  return judge(bytes, digest);
}

/**
 * Writes `data` to `file` atomically, then its digest beside it (atomically too). An older digest is removed
 * first, so no reader pairs it with the new bytes; a crash before the new digest leaves a complete file
 * without one (read as 'unverified').
 */
export async function writeVerified(file: string, data: Uint8Array): Promise<void> {
  await fsp.rm(digestFile(file), { force: true });
  await writeFileAtomic(file, data);
  await writeDigest(file, data);
}

/** writeVerified for code paths that cannot await. */
export function writeVerifiedSync(file: string, parts: Uint8Array[]): void {
  rmSync(digestFile(file), { force: true });
  writeFileAtomicSync(file, parts);
  writeFileAtomicSync(digestFile(file), [Buffer.from(`${sha256Hex(parts)}\n`)]);
}

/** Writes the digest of `bytes` as `file`'s (after the fact: a file written before digests, once trusted). */
export async function writeDigest(file: string, bytes: Uint8Array): Promise<void> {
  await writeFileAtomic(digestFile(file), `${sha256Hex(bytes)}\n`);
}

/**
 * Removes `file`, then its digest (a damaged entry), ignoring what is already gone or cannot be removed: a file
 * that cannot be removed keeps its digest, so it is never read as unverified and trusted.
 */
export function removeVerified(file: string): void {
  try {
    rmSync(file, { force: true });
    rmSync(digestFile(file), { force: true });
  } catch {
    // a read-only cache: the entry stays with its digest, and is recomputed again next time
  }
}
