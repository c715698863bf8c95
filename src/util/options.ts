// Option specs (the one description of a flag: type, default, range, doc) and named registries of
// entries that carry them (models, objectives, defense methods, scores, attacks ...).
import { InputError } from './errors.ts';

export type OptionType = 'string' | 'number' | 'int' | 'boolean' | 'list' | 'int-list' | 'choice';

/** One option: how it is parsed, its default as the code uses it, and a one-line description. */
export interface OptionSpec {
  type: OptionType;
  description: string;
  /** The value used when the option is not given. */
  default?: string | number | boolean | readonly number[];
  /** Shown instead of `default` when the default depends on something else (the dataset, the machine). */
  defaultText?: string;
  /** Allowed values of a 'choice' (a function when they come from a registry). */
  choices?: readonly string[] | (() => readonly string[]);
  min?: number;
  max?: number;
  short?: string;
  /** May be given more than once (values collected in a list). */
  multiple?: boolean;
  /** Placeholder of the value in help ('DIR', 'FILE'); default from the type. */
  value?: string;
  /** Field of the entry's spec the value is stored under (registry options); default: the camelCased flag name. */
  key?: string;
}

export type OptionTable = Record<string, OptionSpec>;

/** Values as parsed from the command line (strings, booleans, or lists of strings for `multiple`). */
export type RawValues = Record<string, string | boolean | string[] | undefined>;

export function choicesOf(spec: OptionSpec): readonly string[] {
  return typeof spec.choices === 'function' ? spec.choices() : (spec.choices ?? []);
}

/** `pve-start` -> `pveStart`. */
export function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Parses and checks one raw value against its spec (the messages name the flag as --name). */
export function parseOption(name: string, spec: OptionSpec, raw: string | boolean | string[]): unknown {
  if (spec.type === 'boolean') return Boolean(raw);
  if (spec.multiple && Array.isArray(raw)) return raw;
  if (typeof raw !== 'string') throw new InputError(`--${name} needs a value`);
  const num = (s: string): number => {
    const x = Number(s);
    if (s.trim() === '' || !Number.isFinite(x)) throw new InputError(`--${name}: '${s}' is not a number`);
    return x;
  };
  const range = (x: number): number => {
    if (spec.min !== undefined && x < spec.min) throw new InputError(`--${name} must be >= ${spec.min}, got ${x}`);
    if (spec.max !== undefined && x > spec.max) throw new InputError(`--${name} must be <= ${spec.max}, got ${x}`);
    return x;
  };
  switch (spec.type) {
    case 'number':
      return range(num(raw));
    case 'int': {
      const x = num(raw);
      if (!Number.isInteger(x)) throw new InputError(`--${name}: '${raw}' is not an integer`);
      return range(x);
    }
    case 'list':
    case 'int-list':
      return raw.split(',').map((s) => {
        const x = num(s);
        if (spec.type === 'int-list' && !Number.isInteger(x)) throw new InputError(`--${name}: '${s}' is not an integer`);
        return range(x);
      });
    case 'choice': {
      const allowed = choicesOf(spec);
      if (!allowed.includes(raw)) throw new InputError(`--${name}: '${raw}' is not one of ${allowed.join(', ')}`);
      return raw;
    }
    default:
      return raw;
  }
}

/** The given options of `table` as spec fields (`key`), parsed; absent options are left out. */
export function readGiven(table: OptionTable, values: RawValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    const raw = values[name];
    if (raw !== undefined) out[spec.key ?? camel(name)] = parseOption(name, spec, raw);
  }
  return out;
}

/** Every option of `table` as spec fields: the given value, else `defaults[key]`, else the spec's default. */
export function readAll(table: OptionTable, values: RawValues, defaults: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    const key = spec.key ?? camel(name);
    const raw = values[name];
    out[key] = raw !== undefined ? parseOption(name, spec, raw) : (defaults[key] ?? spec.default);
  }
  return out;
}

/** An entry of a registry: a unique name, a one-line description and the options it reads. */
export interface Entry {
  name: string;
  description: string;
  options?: OptionTable;
}

/** Named entries of one kind, in registration order; duplicate names are rejected. */
export class Registry<E extends Entry> {
  private readonly byName = new Map<string, E>();
  /** `kind` names the concept in messages ('model', 'objective', ...). */
  constructor(readonly kind: string) {}

  /** Adds entries; throws on a name already registered. */
  add(...entries: E[]): this {
    for (const e of entries) {
      if (this.byName.has(e.name)) throw new Error(`${this.kind} '${e.name}' is registered twice`);
      this.byName.set(e.name, e);
    }
    return this;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The entry named `name`; an InputError listing the known names otherwise. */
  get(name: string): E {
    const e = this.byName.get(name);
    if (!e) throw new InputError(`unknown ${this.kind} '${name}' (${this.names().join(', ')})`);
    return e;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  entries(): E[] {
    return [...this.byName.values()];
  }

  /**
   * The options of every entry as one table; an option several entries read appears once, noting which
   * entries use it when not all do (its default per entry when they differ).
   */
  options(): OptionTable {
    const users = new Map<string, { spec: OptionSpec; by: E[] }>();
    for (const e of this.entries())
      for (const [name, spec] of Object.entries(e.options ?? {})) {
        const u = users.get(name);
        if (!u) users.set(name, { spec, by: [e] });
        else {
          if (u.spec.type !== spec.type)
            throw new Error(`${this.kind} option --${name}: ${u.by[0].name} and ${e.name} disagree on its type`);
          u.by.push(e);
        }
      }
    const all = this.byName.size;
    const out: OptionTable = {};
    for (const [name, { spec, by }] of users) {
      const defaults = by.map((e) => e.options![name].default);
      const same = defaults.every((d) => JSON.stringify(d) === JSON.stringify(defaults[0]));
      const who = by.length < all ? ` (${by.map((e) => e.name).join(', ')})` : '';
      out[name] = {
        ...spec,
        description: `${spec.description}${who}`,
        ...(same ? {} : { default: undefined, defaultText: by.map((e, i) => `${formatDefault(defaults[i])} for ${e.name}`).join(', ') }),
      };
    }
    return out;
  }
}

/** A default as shown in help (lists comma-separated). */
export function formatDefault(d: OptionSpec['default']): string {
  if (d === undefined) return 'none';
  if (Array.isArray(d)) return d.join(',');
  return String(d);
}
