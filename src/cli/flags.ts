// One table of flags per command drives parsing (node:util parseArgs), reading with defaults, --help and
// the README's reference.
import type { ParseArgsConfig } from 'node:util';
import { choicesOf, formatDefault, parseOption, type OptionSpec, type OptionTable, type RawValues } from '../util/options.ts';

export type { OptionSpec, OptionTable, RawValues } from '../util/options.ts';

/** The parseArgs options of a flag table. */
export function parseArgsOptions(table: OptionTable): NonNullable<ParseArgsConfig['options']> {
  const out: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, s] of Object.entries(table))
    out[name] = {
      type: s.type === 'boolean' ? 'boolean' : 'string',
      ...(s.short ? { short: s.short } : {}),
      ...(s.multiple ? { multiple: true } : {}),
    };
  return out;
}

/** Parsed flags of one command, read through its table (the table's defaults are the only copy). */
export class Flags {
  constructor(
    readonly table: OptionTable,
    readonly values: RawValues,
  ) {}

  private spec(name: string): OptionSpec {
    const s = this.table[name];
    if (!s) throw new Error(`flag --${name} is not in this command's table`);
    return s;
  }

  /** Whether the flag was given. */
  has(name: string): boolean {
    this.spec(name);
    return this.values[name] !== undefined;
  }

  /**
   * The flag's parsed value, or its default: the table's, or `dynamic` for a flag whose default depends
   * on something else (its table entry then has only a defaultText).
   */
  get<T>(name: string, dynamic?: T): T {
    const s = this.spec(name);
    if (dynamic !== undefined && s.default !== undefined) throw new Error(`flag --${name} has a default in its table and one at the call`);
    return this.with(name, s, dynamic);
  }

  /** The flag parsed with another spec (e.g. one registry entry's version of a shared flag). */
  with<T>(name: string, s: OptionSpec, dynamic?: T): T {
    const raw = this.values[name];
    if (raw === undefined) return (dynamic ?? s.default) as T;
    return parseOption(name, s, raw) as T;
  }

  /** The flag's parsed value, undefined when not given. */
  opt<T>(name: string): T | undefined {
    const raw = this.values[name];
    return raw === undefined ? undefined : (parseOption(name, this.spec(name), raw) as T);
  }
}

/** The value placeholder of a flag in help ('' for booleans). */
export function placeholder(s: OptionSpec): string {
  if (s.type === 'boolean') return '';
  if (s.value) return s.value;
  if (s.type === 'choice') return choicesOf(s).join('|');
  return { number: 'X', int: 'N', list: 'X,X,...', 'int-list': 'N,N,...', string: 'VALUE' }[s.type];
}

/** The value type in words. */
export function typeText(s: OptionSpec): string {
  const range =
    s.min !== undefined && s.max !== undefined
      ? ` in [${s.min}, ${s.max}]`
      : s.min !== undefined
        ? ` >= ${s.min}`
        : s.max !== undefined
          ? ` <= ${s.max}`
          : '';
  const base = {
    number: 'number',
    int: 'integer',
    list: 'numbers',
    'int-list': 'integers',
    string: 'text',
    boolean: 'switch',
    choice: 'one of',
  }[s.type];
  if (s.type === 'choice') return `${base} ${choicesOf(s).join(', ')}`;
  return `${base}${range}${s.multiple ? ', repeatable' : ''}`;
}

/** The default in words. */
export function defaultText(s: OptionSpec): string {
  if (s.defaultText) return s.defaultText;
  if (s.type === 'boolean' && s.default === undefined) return 'off';
  return s.default === undefined ? 'none' : formatDefault(s.default);
}

/** `--name VALUE (-s)` as shown in help. */
export function flagLabel(name: string, s: OptionSpec): string {
  const p = placeholder(s);
  return `--${name}${p ? ` ${p}` : ''}${s.short ? ` (-${s.short})` : ''}`;
}

/** One line per flag: label, description, type and default. */
export function flagHelp(table: OptionTable): string[] {
  const rows = Object.entries(table).map(([n, s]) => [flagLabel(n, s), `${s.description} [${typeText(s)}; default: ${defaultText(s)}]`]);
  const w = Math.min(34, Math.max(...rows.map((r) => r[0].length)) + 2);
  return rows.map(([l, d]) => `  ${l.padEnd(w)}${l.length >= w ? ' ' : ''}${d}`);
}

/** Edit distance (Levenshtein) between two strings. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The flag of `table` nearest to `given` (without dashes). */
export function nearestFlag(table: OptionTable, given: string): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const name of Object.keys(table)) {
    const d = editDistance(given, name);
    if (d < bestD) [best, bestD] = [name, d];
  }
  return best;
}
