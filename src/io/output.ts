// Before any work: is the output a place the command may write? An existing non-empty output is refused
// unless forced (or it is the command's own output to continue), an output that would replace what the
// command reads is refused even when forced, and the place is probed by creating (then removing) a temp
// entry beside it, so a read-only, missing or full place fails at once with one line naming the path.
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../util/errors.ts';
import { writeJsonAtomic } from './atomic.ts';
import { errnoCode, fsReason } from './fs-errors.ts';

/** What a command is about to write. */
export interface OutputRequest {
  /** The path given (or defaulted). */
  path: string;
  /** A directory (built in a temp directory beside it and renamed into place) or a single file. */
  kind: 'dir' | 'file';
  /** Create missing parent directories (always for a directory; a file's parent must exist unless this is set). */
  parents?: boolean;
  /** The flag that names it, in messages (default '--out'). */
  flag?: string;
  /** Replace an existing non-empty output (--force). */
  force?: boolean;
  /** Paths the command reads: the output may not be one of them nor contain one (replacing it would delete them). */
  inputs?: string[];
  /** Directories the output may not lie inside (a new run inside the run it derives from). */
  notInside?: string[];
  /** Whether an existing non-empty output is this command's own, which it continues (bench, demo, a bench's --doc). */
  continues?: (dir: string) => boolean;
  /**
   * The command writes into the directory as it goes (bench, demo) instead of building it aside and renaming
   * it into place: a forced replacement then empties it now, before the work.
   */
  incremental?: boolean;
}

/** What prepareOutput found: nothing (or an empty place), the command's own output to continue, or one to replace. */
export type OutputState = 'new' | 'continue' | 'replace';

/** The absolute path with symlinks of its existing part resolved (so two spellings of one place compare equal). */
export function canonicalPath(p: string): string {
  const abs = resolve(p);
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...tail.reverse());
    } catch {
      const up = dirname(head);
      if (up === head) return abs;
      tail.push(basename(head));
      head = up;
    }
  }
}

/** Whether `inner` is `outer` or lies below it. */
export function isWithin(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}

/** The nearest existing ancestor of `p` (p itself when it exists). */
function existingAncestor(p: string): string {
  let a = p;
  for (;;) {
    try {
      lstatSync(a);
      return a;
    } catch {
      const up = dirname(a);
      if (up === a) return a;
      a = up;
    }
  }
}

/** Creates `dir` one level at a time below its existing ancestor `anc` (Node's recursive mkdir loops on some pseudo filesystems). */
function mkdirsBelow(anc: string, dir: string): void {
  const missing = relative(anc, dir).split(sep).filter(Boolean);
  let p = anc;
  for (const part of missing) {
    p = join(p, part);
    try {
      mkdirSync(p);
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e;
    }
  }
}

function suffix(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Creates the parent directories of `path` (if `parents`) and a temp entry beside it, then removes it:
 * throws an InputError naming `path` when the place cannot be written (read-only, no permission, missing
 * parent, no space).
 */
export function probeWritable(path: string, kind: 'dir' | 'file', what = path, parents = kind === 'dir'): void {
  const abs = resolve(path);
  const parent = dirname(abs);
  const anc = existingAncestor(parent);
  let ancIsDir = false;
  try {
    ancIsDir = statSync(anc).isDirectory();
  } catch {
    ancIsDir = false;
  }
  if (!ancIsDir) throw new InputError(`cannot write ${what}: ${anc} is not a directory`);
  if (!parents && anc !== parent) throw new InputError(`cannot write ${what}: directory ${parent} does not exist`);
  const fail = (e: unknown): never => {
    throw new InputError(`cannot write ${what}: ${fsReason(e)}${errnoCode(e) === 'EACCES' || errnoCode(e) === 'EROFS' ? ` (${existingAncestor(parent)})` : ''}`);
  };
  try {
    mkdirsBelow(anc, parent);
  } catch (e) {
    fail(e);
  }
  const probe = kind === 'dir' ? `${abs}.tmp-${suffix()}` : join(parent, `.${basename(abs)}.tmp-${suffix()}`);
  try {
    if (kind === 'dir') {
      mkdirSync(probe);
      rmdirSync(probe);
    } else {
      writeFileSync(probe, '', { flag: 'wx' });
      unlinkSync(probe);
    }
  } catch (e) {
    fail(e);
  }
}

/**
 * Checks, before any work, that the command may write `req.path` (see the top of this file); throws an
 * InputError (one line naming the path) when not. Creates missing parent directories of a directory output.
 */
export function prepareOutput(req: OutputRequest): OutputState {
  const flag = req.flag ?? '--out';
  const out = canonicalPath(req.path);
  for (const input of req.inputs ?? []) {
    const inp = canonicalPath(input);
    if (inp === out) throw new InputError(`${flag} ${req.path} is ${input}, which this command reads: pick another ${flag}`);
    if (isWithin(inp, out)) throw new InputError(`${flag} ${req.path} would replace ${input}, which this command reads: pick another ${flag}`);
  }
  for (const dir of req.notInside ?? [])
    if (isWithin(out, canonicalPath(dir))) throw new InputError(`${flag} ${req.path} is inside ${dir}, which this command reads: write it elsewhere`);
  let st: ReturnType<typeof statSync> | undefined;
  try {
    st = statSync(out);
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT' && errnoCode(e) !== 'ENOTDIR') throw new InputError(`cannot write ${req.path}: ${fsReason(e)}`);
  }
  let state: OutputState = 'new';
  if (st) {
    if (req.kind === 'dir' && !st.isDirectory()) throw new InputError(`${flag} ${req.path} is a file, not a directory: pick another ${flag}`);
    if (req.kind === 'file' && st.isDirectory()) throw new InputError(`${flag} ${req.path} is a directory, not a file: pick another ${flag}`);
    const names = req.kind === 'dir' ? readdirSync(out) : [];
    const nonEmpty = req.kind === 'dir' ? names.length > 0 : st.size > 0;
    if (nonEmpty) {
      if (req.continues?.(out)) state = 'continue';
      else if (req.force) state = 'replace';
      else {
        const what =
          req.kind === 'dir'
            ? `is a directory that is not empty (${names.length} ${names.length === 1 ? 'entry' : 'entries'}: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''})`
            : 'already exists';
        throw new InputError(`${flag} ${req.path} ${what}: pick another ${flag}, or pass --force to replace it`);
      }
    }
  }
  probeWritable(req.path, req.kind, req.path, req.parents);
  if (state === 'replace' && req.incremental) {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out);
  }
  return state;
}

/** The file in an incrementally written output directory that records which command (and settings) it belongs to. */
export const OUTPUT_MARKER = '.cwrf-output.json';

/** The contents of OUTPUT_MARKER. */
export interface OutputMarker {
  format: 'cwrf-output/1';
  command: string;
  /** A digest of the settings the output was made with (the command decides what counts). */
  settings: string;
}

/** The marker of `dir`, or null when it has none (or an unreadable one). */
export function readOutputMarker(dir: string): OutputMarker | null {
  const f = join(dir, OUTPUT_MARKER);
  if (!existsSync(f)) return null;
  try {
    const m = JSON.parse(readFileSync(f, 'utf8')) as OutputMarker;
    return m.format === 'cwrf-output/1' && typeof m.command === 'string' && typeof m.settings === 'string' ? m : null;
  } catch {
    return null;
  }
}

/**
 * Whether `dir` is `command`'s own output made with `settings`: its marker says so, or (outputs written before
 * markers) it has no marker and every entry is one the command writes (`ownEntry`).
 */
export function isOwnOutput(dir: string, command: string, settings: string, ownEntry: (name: string) => boolean): boolean {
  const m = readOutputMarker(dir);
  if (m) return m.command === command && m.settings === settings;
  return readdirSync(dir).every(ownEntry);
}

/** Records in `dir` (created if needed) that it is `command`'s output made with `settings`. */
export async function writeOutputMarker(dir: string, command: string, settings: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const m: OutputMarker = { format: 'cwrf-output/1', command, settings };
  await writeJsonAtomic(join(dir, OUTPUT_MARKER), m);
}
