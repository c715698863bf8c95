// The one check every command makes of what it writes, before any work (src/io/output.ts), with its --force,
// and the marker by which bench and demo recognise their own output to continue.
import { createHash } from 'node:crypto';
import { isOwnOutput, prepareOutput, writeOutputMarker, type OutputRequest, type OutputState } from '../io/output.ts';
import { canonicalJson } from '../train/index.ts';
import type { Flags } from './flags.ts';

/** prepareOutput for `req` with the command's --force. */
export function prepareOut(f: Flags, req: Omit<OutputRequest, 'force'>): OutputState {
  return prepareOutput({ ...req, force: Boolean(f.opt<boolean>('force')) });
}

/** A short digest of settings (canonical JSON), as recorded in an output's marker. */
export function settingsDigest(settings: unknown): string {
  return createHash('sha256').update(canonicalJson(settings)).digest('hex').slice(0, 32);
}

/**
 * Checks an output directory that `command` fills as it goes and continues on a rerun (bench, demo): its own
 * output made with `settings` (marker, or for outputs older than markers, only entries `ownEntry` accepts) is
 * continued; anything else non-empty is refused without --force (and emptied with it). Then marks it as
 * `command`'s, before any work.
 */
export async function prepareResumableOut(f: Flags, command: string, out: string, settings: unknown, ownEntry: (name: string) => boolean): Promise<OutputState> {
  const digest = settingsDigest(settings);
  const state = prepareOut(f, { path: out, kind: 'dir', incremental: true, continues: (dir) => isOwnOutput(dir, command, digest, ownEntry) });
  await writeOutputMarker(out, command, digest);
  return state;
}
