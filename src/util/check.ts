// Checks of recorded values: numbers in range, options against their spec.
import { InputError } from './errors.ts';
import { choicesOf, type OptionSpec } from './options.ts';

/** Throws an InputError naming `what` unless `v` is a finite number in range. */
export function checkNumber(v: unknown, what: string, o: { int?: boolean; min?: number; max?: number } = {}): number {
  const x = typeof v === 'string' ? Number(v) : v;
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new InputError(`${what} must be a number, got '${String(v)}'`);
  if (o.int && !Number.isInteger(x)) throw new InputError(`${what} must be an integer, got ${x}`);
  if (o.min !== undefined && x < o.min) throw new InputError(`${what} must be >= ${o.min}, got ${x}`);
  if (o.max !== undefined && x > o.max) throw new InputError(`${what} must be <= ${o.max}, got ${x}`);
  return x;
}

/**
 * Checks a recorded value against its option's spec (type, choices, range: the range the flag is parsed with),
 * throwing an InputError naming `what`; returns it.
 */
export function checkOption(v: unknown, what: string, spec: OptionSpec): unknown {
  switch (spec.type) {
    case 'number':
    case 'int':
      return checkNumber(v, what, { int: spec.type === 'int', min: spec.min, max: spec.max });
    case 'choice':
      return checkChoice(v, what, choicesOf(spec));
    case 'string':
      return checkString(v, what);
    case 'boolean':
      if (typeof v !== 'boolean') throw new InputError(`${what} must be true or false, got ${JSON.stringify(v)}`);
      return v;
    default:
      return v;
  }
}

/** Whether `v` is a plain object (a recorded spec's field holding options). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `v` if it is one of `choices`; an InputError naming `what` and the choices otherwise. */
export function checkChoice<T extends string>(v: unknown, what: string, choices: readonly T[]): T {
  const c = choices.find((x) => x === v);
  if (c === undefined) throw new InputError(`unknown ${what} '${String(v)}' (${choices.join(', ')})`);
  return c;
}

/** `v` if it is a string; an InputError naming `what` otherwise. */
export function checkString(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new InputError(`${what} must be a string, got ${JSON.stringify(v)}`);
  return v;
}
