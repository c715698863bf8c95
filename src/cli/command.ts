// The shape of a CLI command and helpers to read its flags.
import type { ParseArgsConfig } from 'node:util';
import { InputError } from '../util/errors.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | undefined>;

/** Where a command writes: human lines (suppressed by --quiet/--json) and the final result. */
export interface Io {
  json: boolean;
  quiet: boolean;
  log(line: string): void;
  err(line: string): void;
}

export interface Command {
  summary: string;
  usage: string;
  examples: string[];
  options: Options;
  /** Returns the machine-readable result (printed with --json). */
  run(values: Values, positionals: string[], io: Io): Promise<unknown>;
}

/** A numeric flag (or its default), rejecting anything that is not a finite number in range. */
export function numberFlag(v: Values, name: string, def: number, o: { int?: boolean; min?: number; max?: number } = {}): number {
  const raw = v[name];
  if (raw === undefined) return def;
  const x = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(x)) throw new InputError(`--${name}: '${String(raw)}' is not a number`);
  if (o.int && !Number.isInteger(x)) throw new InputError(`--${name}: '${raw}' is not an integer`);
  if (o.min !== undefined && x < o.min) throw new InputError(`--${name} must be >= ${o.min}, got ${x}`);
  if (o.max !== undefined && x > o.max) throw new InputError(`--${name} must be <= ${o.max}, got ${x}`);
  return x;
}

export function stringFlag<T extends string>(v: Values, name: string, def: T, allowed?: readonly T[]): T {
  const raw = v[name];
  if (raw === undefined) return def;
  if (typeof raw !== 'string') throw new InputError(`--${name} needs a value`);
  if (allowed && !allowed.includes(raw as T)) throw new InputError(`--${name}: '${raw}' is not one of ${allowed.join(', ')}`);
  return raw as T;
}

export function listFlag(v: Values, name: string): number[] | undefined {
  const raw = v[name];
  if (raw === undefined) return undefined;
  return String(raw)
    .split(',')
    .map((s) => {
      const x = Number(s);
      if (s.trim() === '' || !Number.isFinite(x)) throw new InputError(`--${name}: '${s}' is not a number`);
      return x;
    });
}

/** Options shared by every command. */
export const COMMON: Options = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
};

/** Options of every command that reads a dataset. */
export const DATA: Options = {
  'data-dir': { type: 'string' },
  'label-column': { type: 'string' },
  limit: { type: 'string' },
};
