// Dataset loading options from flags.
import type { LoadOptions } from '../data/index.ts';
import { numberFlag, type Values } from './command.ts';

export function loadOptionsFromFlags(v: Values): LoadOptions {
  const o: LoadOptions = {};
  if (typeof v['data-dir'] === 'string') o.dataDir = v['data-dir'];
  const lc = v['label-column'];
  if (lc === 'first' || lc === 'last') o.labelColumn = lc;
  else if (lc !== undefined) o.labelColumn = numberFlag(v, 'label-column', 0, { int: true, min: 0 });
  if (v.limit !== undefined) o.limit = numberFlag(v, 'limit', 0, { int: true, min: 1 });
  return o;
}

/** Loading options for a command on an existing run: its recorded data directory unless --data-dir is given. */
export function runLoadOptions(v: Values, run: { dataDir?: string }): LoadOptions {
  const o = loadOptionsFromFlags(v);
  return o.dataDir || !run.dataDir ? o : { ...o, dataDir: run.dataDir };
}
