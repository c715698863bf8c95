// The label column of a user's CSV: named by position ('first', 'last', an index) or by its header name, and
// refused when its values look like a measurement rather than classes (the default first column of a float
// table would otherwise become thousands of one-example classes and train to chance, silently).
import { closeSync, openSync, readSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { InputError } from '../util/errors.ts';
import { parseNumber } from './tabular.ts';

/** How a label column is named: 'first', 'last', a 0-based index (negative: from the end) or a header name. */
export type LabelColumnSpec = number | string;

/** Whether a --label-column value is an index (digits, optionally negative) rather than a name. */
export function isIndexSpec(spec: LabelColumnSpec): boolean {
  return typeof spec === 'number' || /^-?\d+$/.test(spec.trim());
}

/** The 0-based index of the label column `spec` among the fields of the file's first row (a header or data). */
export function resolveLabelColumn(first: string[], spec: LabelColumnSpec, file: string): number {
  const cols = first.length;
  if (spec === 'first') return 0;
  if (spec === 'last') return cols - 1;
  if (isIndexSpec(spec)) {
    const n = Number(spec);
    const i = n < 0 ? cols + n : n;
    if (!Number.isInteger(i) || i < 0 || i >= cols) throw new InputError(`cannot read ${file}: label column ${spec} does not exist (the file has ${cols} columns)`);
    return i;
  }
  const name = String(spec).trim();
  let i = first.findIndex((f) => f.trim() === name);
  if (i < 0) {
    const ci = first.map((f, k) => [f.trim().toLowerCase(), k] as const).filter(([f]) => f === name.toLowerCase());
    if (ci.length === 1) i = ci[0][1];
  }
  if (i >= 0) return i;
  const numeric = first.every((f) => parseNumber(f) !== undefined);
  throw new InputError(
    numeric
      ? `cannot read ${file}: no column named '${name}' (the file has no header row: give --label-column first, last or an index)`
      : `cannot read ${file}: no column named '${name}' (the header has: ${first.slice(0, 12).join(', ')}${cols > 12 ? ', ...' : ''})`,
  );
}

/** The fields of a CSV file's first non-empty row (its header, when it has one), read from the file's start. */
export function readCsvFirstRow(file: string): string[] {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const rows = parse(buf.subarray(0, n), { to_line: 1, relax_column_count: true, skip_empty_lines: true, trim: true, bom: true, relax_quotes: true }) as string[][];
    return rows[0] ?? [];
  } finally {
    closeSync(fd);
  }
}

/** The 0-based index of label column `spec` of the CSV `file` (read from its first row). */
export function labelColumnIndex(file: string, spec: LabelColumnSpec): number {
  let first: string[];
  try {
    first = readCsvFirstRow(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `file not found: ${file}` : `cannot read ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (first.length === 0) throw new InputError(`cannot read ${file}: no data rows`);
  return resolveLabelColumn(first, spec, file);
}

/** Most distinct values class labels may take in `rows` rows: a tenth of the rows (at least 10), so every class has about ten examples. */
export function maxClasses(rows: number): number {
  return Math.max(10, Math.floor(rows / 10));
}

/** Distinct values of a column and its first non-integer value (null when all are integers). */
function profile(values: ArrayLike<number>): { distinct: number; nonInteger: number | null } {
  const seen = new Set<number>();
  let nonInteger: number | null = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    seen.add(v);
    if (nonInteger === null && !Number.isInteger(v)) nonInteger = v;
  }
  return { distinct: seen.size, nonInteger };
}

/** The table a label column is checked in: its labels as text, the other columns and the header. */
export interface LabelTable {
  file: string;
  /** Index of the label column among all columns. */
  index: number;
  labels: string[];
  /** Row-major [rows, d] values of the other columns, in file order. */
  x: Float32Array;
  d: number;
  header: string[] | null;
}

/** A column that looks like class labels (integers, few distinct values), the last one first: how to name it. */
function suggestion(t: LabelTable): string {
  const rows = t.labels.length;
  for (let c = t.d - 1; c >= 0; c--) {
    const col = new Float32Array(rows);
    for (let r = 0; r < rows; r++) col[r] = t.x[r * t.d + c];
    const p = profile(col);
    if (p.nonInteger !== null || p.distinct < 2 || p.distinct > maxClasses(rows)) continue;
    const full = c < t.index ? c : c + 1;
    const cols = t.d + 1;
    const named = t.header?.[full];
    const flag = named ? (/^[\w.-]+$/.test(named) ? named : `'${named}'`) : full === cols - 1 ? 'last' : String(full);
    return `did you mean --label-column ${flag} (column ${full}: ${p.distinct} distinct integer values)?`;
  }
  return 'name the column of class labels with --label-column NAME|first|last|N';
}

/**
 * Refuses a label column whose values look continuous: numbers that are not all integers, or more distinct
 * values than maxClasses(rows). The message names the column and suggests the right --label-column.
 */
export function checkLabelsCategorical(t: LabelTable): void {
  const rows = t.labels.length;
  const nums = t.labels.map((s) => parseNumber(s));
  const numeric = nums.every((v) => v !== undefined && Number.isFinite(v));
  const p = numeric ? profile(nums as number[]) : { distinct: new Set(t.labels).size, nonInteger: null };
  if (p.nonInteger === null && p.distinct <= maxClasses(rows)) return;
  const name = t.header ? ` ('${t.header[t.index]}')` : '';
  const why = p.nonInteger !== null ? `non-integer values such as ${p.nonInteger}` : `${p.distinct} distinct values in ${rows} rows (at most ${maxClasses(rows)} classes)`;
  throw new InputError(`${t.file}: label column ${t.index}${name} looks continuous (${why}), not class labels: ${suggestion(t)}`);
}
