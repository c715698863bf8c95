// Dataset loading options from flags.
import type { LoadOptions } from '../data/index.ts';
import type { Flags } from './flags.ts';

export function loadOptionsFromFlags(f: Flags): LoadOptions {
  const o: LoadOptions = {};
  const dir = f.opt<string>('data-dir');
  if (dir !== undefined) o.dataDir = dir;
  const lc = f.opt<string>('label-column');
  if (lc === 'first' || lc === 'last') o.labelColumn = lc;
  else if (lc !== undefined) o.labelColumn = f.with<number>('label-column', { type: 'int', min: 0, description: '' });
  const limit = f.opt<number>('limit');
  if (limit !== undefined) o.limit = limit;
  return o;
}

/** Loading options for a command on an existing run: its recorded data directory unless --data-dir is given. */
export function runLoadOptions(f: Flags, run: { dataDir?: string }): LoadOptions {
  const o = loadOptionsFromFlags(f);
  return o.dataDir || !run.dataDir ? o : { ...o, dataDir: run.dataDir };
}
