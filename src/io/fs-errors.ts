// Filesystem errors as one line naming the path: Node's own messages ("ENOSPC: no space left on device,
// write") name no path for writes through a file handle, and a temp file's name is not the user's.

/** Errno codes whose cause is where the output goes (the user picks another place), not a bug. */
export const PLACE_CODES = ['EROFS', 'EACCES', 'EPERM', 'ENOENT', 'ENOTDIR', 'ENOSPC', 'EDQUOT', 'EEXIST', 'EISDIR', 'ENAMETOOLONG', 'EFBIG'] as const;

const REASONS: Record<string, string> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a parent is not a directory',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EEXIST: 'already exists',
  EISDIR: 'is a directory',
  ENAMETOOLONG: 'name too long',
  EFBIG: 'file too large',
  EMFILE: 'too many open files',
};

/** The errno code of an error, if it has one. */
export function errnoCode(e: unknown): string | undefined {
  const code = e && typeof e === 'object' && 'code' in e ? (e as { code: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** A filesystem error's cause in words ("read-only file system"), or its message's first line. */
export function fsReason(e: unknown): string {
  const code = errnoCode(e);
  if (code && REASONS[code]) return REASONS[code];
  const msg = e instanceof Error ? e.message : String(e);
  return (msg.split('\n')[0] || 'unknown error').trim();
}

/** A write that failed: one line naming the path the user asked for, the errno code kept. */
export class WriteError extends Error {
  override name = 'WriteError';
  constructor(
    readonly path: string,
    readonly code: string | undefined,
    readonly reason: string,
  ) {
    super(`cannot write ${path}: ${reason}`);
  }
}

/** `e` as a WriteError naming `path` (an error that already names its path is kept). */
export function writeError(e: unknown, path: string): Error {
  if (e instanceof WriteError) return e;
  if (!errnoCode(e)) return e instanceof Error ? e : new Error(String(e));
  return new WriteError(path, errnoCode(e), fsReason(e));
}
