// What a registry entry (defense method, objective, DP-SGD) declares of its search space for `cwrf tune`: each
// parameter's name, kind, range or values, scale and default grid points. The space of a search is built from
// these declarations (src/studies/tune/space.ts), so a newly registered entry is searched without editing tune.
import { InputError } from './errors.ts';

/** One searchable parameter of a registry entry. */
export interface Tunable {
  /** Its name in `--space` and in candidate ids (the entry's flag name where it has one). */
  name: string;
  /** The field of the stage or objective spec it sets. */
  key: string;
  kind: 'number' | 'int' | 'choice';
  /** Allowed range of a number or int (inclusive). */
  min?: number;
  max?: number;
  /** Allowed values of a choice. */
  values?: readonly string[];
  /** A number relative to the recipe's learning rate (the value times it; e.g. 1 and 0.1 = the recipe's rate and a tenth of it). */
  relative?: 'recipe-lr';
  /** How its grid is spaced (documentation, and the order a report plots it in). */
  scale?: 'lin' | 'log';
  /** The grid points searched when `--space` does not name other values. */
  grid: readonly (number | string)[];
  description: string;
}

/** Parses and checks one `--space` value of `t` (InputError naming the allowed values or range). */
export function parseTunableValue(t: Tunable, raw: string): number | string {
  if (t.kind === 'choice') {
    const ok = t.values ?? t.grid.map(String);
    if (!ok.includes(raw)) throw new InputError(`--space: ${t.name} '${raw}' is not one of ${ok.join(', ')}`);
    return raw;
  }
  const x = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(x)) throw new InputError(`--space: ${t.name} '${raw}' is not a number`);
  if (t.kind === 'int' && !Number.isInteger(x)) throw new InputError(`--space: ${t.name} '${raw}' is not an integer`);
  if ((t.min !== undefined && x < t.min) || (t.max !== undefined && x > t.max))
    throw new InputError(`--space: ${t.name} ${raw} is outside [${t.min ?? '-inf'}, ${t.max ?? 'inf'}]`);
  return x;
}

/** Every combination of the tunables' values (`values[name]` or each grid), in declaration order; one empty combination for none. */
export function gridOf(tunables: readonly Tunable[], values: ReadonlyMap<string, readonly (number | string)[]>): Record<string, number | string>[] {
  let out: Record<string, number | string>[] = [{}];
  for (const t of tunables) {
    const vs = values.get(t.name) ?? t.grid;
    out = out.flatMap((c) => vs.map((v) => ({ ...c, [t.name]: v })));
  }
  return out;
}
