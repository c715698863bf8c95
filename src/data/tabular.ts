// Numeric CSV readers: a fast byte scanner for the benchmark files (location, purchase, texas) and a
// general csv-parse based reader for user files (`csv:<path>`).
import { createReadStream, statSync } from 'node:fs';
import { parse } from 'csv-parse';
import { InputError } from '../util/errors.ts';
import { reason } from './io.ts';
import { checkLabelsCategorical, isIndexSpec, resolveLabelColumn, type LabelColumnSpec } from './csv-labels.ts';

const NL = 10;
const CR = 13;
const SP = 32;
const TAB = 9;
const QUOTE = 34;
const COMMA = 44;

/** Parses special spellings numpy/pandas write: nan, inf, -inf, Infinity. Returns undefined if not a number. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  if (!Number.isNaN(n)) return n;
  const l = t.toLowerCase();
  if (l === 'nan' || l === '-nan' || l === '+nan') return NaN;
  if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  return undefined;
}

function isBlankLine(buf: Uint8Array, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = buf[i];
    if (c !== SP && c !== TAB && c !== CR) return false;
  }
  return true;
}

export interface ScannedCsv {
  /** Row-major [n, d] non-label values. */
  x: Float32Array;
  /** Label column values (empty when labelColumn is 'none'). */
  labels: Float64Array;
  n: number;
  d: number;
}

/**
 * Fast reader for headerless numeric CSV (values optionally in double quotes), as used by the
 * privacytrustlab benchmark files. Rejects ragged rows and non-numeric fields with the row number.
 */
export function scanNumericCsv(
  buf: Uint8Array,
  file: string,
  opts: { labelColumn: 'first' | 'last' | 'none'; expectColumns?: number; what?: string },
): ScannedCsv {
  const len = buf.length;
  // Pass 1: count non-blank lines and find the first one.
  let rows = 0;
  let firstStart = -1;
  let firstEnd = -1;
  for (let s = 0; s < len; ) {
    let e = buf.indexOf(NL, s);
    if (e < 0) e = len;
    if (!isBlankLine(buf, s, e)) {
      rows++;
      if (firstStart < 0) {
        firstStart = s;
        firstEnd = e;
      }
    }
    s = e + 1;
  }
  if (rows === 0) throw new InputError(`cannot read ${file}: no data rows`);
  let cols = 1;
  let inQ = false;
  for (let i = firstStart; i < firstEnd; i++) {
    if (buf[i] === QUOTE) inQ = !inQ;
    else if (buf[i] === COMMA && !inQ) cols++;
  }
  if (opts.expectColumns !== undefined && cols !== opts.expectColumns) {
    throw new InputError(
      `cannot read ${file}: expected ${opts.expectColumns} columns${opts.what ? ` (${opts.what})` : ''}, found ${cols} on row 1`,
    );
  }
  const hasLabel = opts.labelColumn !== 'none';
  const labelCol = opts.labelColumn === 'first' ? 0 : opts.labelColumn === 'last' ? cols - 1 : -1;
  const d = cols - (hasLabel ? 1 : 0);
  const x = new Float32Array(rows * d);
  const labels = new Float64Array(hasLabel ? rows : 0);

  let row = 0; // data row index (0-based)
  let line = 0; // file line number (1-based when reported)
  let i = 0;
  let xo = 0;
  const fail = (col: number, why: string): never => {
    throw new InputError(`cannot read ${file}: row ${line}${col >= 0 ? `, column ${col + 1}` : ''}: ${why}`);
  };
  while (i < len) {
    line++;
    let e = buf.indexOf(NL, i);
    if (e < 0) e = len;
    if (isBlankLine(buf, i, e)) {
      i = e + 1;
      continue;
    }
    let col = 0;
    let p = i;
    for (;;) {
      // Parse one field in [p, fieldEnd).
      while (p < e && (buf[p] === SP || buf[p] === TAB)) p++;
      let quoted = false;
      if (buf[p] === QUOTE) {
        quoted = true;
        p++;
      }
      const fs = p;
      let v: number;
      // Fast path: [-+]digits[.digits]
      let neg = false;
      let q = p;
      if (buf[q] === 45 /* - */) {
        neg = true;
        q++;
      } else if (buf[q] === 43 /* + */) q++;
      let mant = 0;
      let nd = 0;
      let frac = 0;
      while (q < e) {
        const c = buf[q] - 48;
        if (c < 0 || c > 9) break;
        mant = mant * 10 + c;
        nd++;
        q++;
      }
      if (buf[q] === 46 /* . */) {
        q++;
        while (q < e) {
          const c = buf[q] - 48;
          if (c < 0 || c > 9) break;
          mant = mant * 10 + c;
          nd++;
          frac++;
          q++;
        }
      }
      let end = q;
      if (quoted && buf[end] === QUOTE) end++;
      while (end < e && (buf[end] === SP || buf[end] === TAB || buf[end] === CR)) end++;
      if (nd > 0 && nd <= 15 && (end === e || buf[end] === COMMA)) {
        v = frac === 0 ? mant : mant / 10 ** frac;
        if (neg) v = -v;
        p = end;
      } else {
        // Slow path: find the field end (respecting the quote) and let parseNumber decide.
        let f = fs;
        if (quoted) {
          while (f < e && buf[f] !== QUOTE) f++;
          if (f >= e) fail(col, 'unterminated quote');
        } else {
          while (f < e && buf[f] !== COMMA) f++;
        }
        const text = Buffer.from(buf.buffer, buf.byteOffset + fs, f - fs).toString('utf8');
        const parsed = parseNumber(text);
        if (parsed === undefined) {
          fail(col, text.trim() === '' ? 'empty value' : `not a number: '${text.trim().slice(0, 30)}'`);
        }
        if (!Number.isFinite(parsed)) fail(col, `non-finite value '${text.trim()}'`);
        v = parsed!;
        p = quoted ? f + 1 : f;
        while (p < e && (buf[p] === SP || buf[p] === TAB || buf[p] === CR)) p++;
        if (p < e && buf[p] !== COMMA) fail(col, 'unexpected text after a quoted value');
      }
      if (col >= cols) fail(-1, `more than ${cols} columns (ragged CSV: row 1 has ${cols})`);
      if (col === labelCol) labels[row] = v;
      else x[xo++] = v;
      col++;
      if (p >= e) break;
      p++; // skip comma
    }
    if (col !== cols) fail(-1, `has ${col} columns, expected ${cols} (ragged CSV)`);
    row++;
    i = e + 1;
  }
  return { x, labels, n: row, d };
}

/**
 * Converts label values to 0-based Int32 labels: values must be integers in base..base+classes-1.
 * `rowOffset` converts array indices to the reported 1-based row numbers.
 */
export function toLabels(values: ArrayLike<number>, classes: number, base: number, file: string, rowOffset = 1): Int32Array {
  const y = new Int32Array(values.length);
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    if (!Number.isInteger(v)) throw new InputError(`cannot read ${file}: row ${r + rowOffset}: label ${v} is not an integer`);
    const k = v - base;
    if (k < 0 || k >= classes) {
      throw new InputError(
        `cannot read ${file}: row ${r + rowOffset}: label ${v} is out of range (expected ${base}..${base + classes - 1})`,
      );
    }
    y[r] = k;
  }
  return y;
}

/** Result of the general CSV reader. */
export interface CsvTable {
  x: Float32Array;
  y: Int32Array;
  n: number;
  d: number;
  classNames: string[];
  header: string[] | null;
  /** 0-based index of the label column among all columns. */
  labelColumn: number;
}

/**
 * Reads a numeric CSV with csv-parse: optional header (auto-detected: the first row is a header when
 * one of its feature fields is not a number, or when it names the label column), label column `labelColumn`
 * (0-based index, negative from the end, 'first', 'last' or a header name). Labels (numbers or strings) map
 * to 0..K-1 in sorted order; a label column that looks continuous is refused (src/data/csv-labels.ts).
 */
export async function readCsvFile(file: string, labelColumn: LabelColumnSpec = 'first'): Promise<CsvTable> {
  try {
    if (!statSync(file).isFile()) throw new InputError(`expected a CSV file but found a directory: ${file}`);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError((e as NodeJS.ErrnoException).code === 'ENOENT' ? `file not found: ${file}` : `cannot read ${file}: ${reason(e)}`);
  }
  const stream = createReadStream(file);
  const parser = stream.pipe(parse({ relax_column_count: true, skip_empty_lines: true, trim: true, bom: true, info: true }));
  stream.on('error', (e) => parser.destroy(e));
  let cols = -1;
  let lc = -1;
  let header: string[] | null = null;
  let d = 0;
  let cap = 1024;
  let x = new Float32Array(0);
  const labelText: string[] = [];
  let n = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const rec = item.record;
      const line = item.info.lines;
      if (cols < 0) {
        cols = rec.length;
        if (cols < 2) throw new InputError(`cannot read ${file}: need a label column and at least one feature, found ${cols} column(s) on row ${line}`);
        lc = resolveLabelColumn(rec, labelColumn, file);
        const byName = labelColumn !== 'first' && labelColumn !== 'last' && !isIndexSpec(labelColumn);
        d = cols - 1;
        x = new Float32Array(cap * d);
        if (byName || rec.some((f, c) => c !== lc && parseNumber(f) === undefined)) {
          header = rec;
          continue;
        }
      }
      if (rec.length !== cols) {
        throw new InputError(`cannot read ${file}: row ${line} has ${rec.length} columns, expected ${cols} (ragged CSV)`);
      }
      if (n === cap) {
        cap *= 2;
        const nx = new Float32Array(cap * d);
        nx.set(x);
        x = nx;
      }
      let o = n * d;
      for (let c = 0; c < cols; c++) {
        if (c === lc) continue;
        const v = parseNumber(rec[c]);
        if (v === undefined) {
          throw new InputError(
            `cannot read ${file}: row ${line}, column ${c + 1}: ${rec[c] === '' ? 'empty value' : `not a number: '${rec[c].slice(0, 30)}'`}`,
          );
        }
        if (!Number.isFinite(v)) throw new InputError(`cannot read ${file}: row ${line}, column ${c + 1}: non-finite value '${rec[c]}'`);
        x[o++] = v;
      }
      const lab = rec[lc];
      if (lab === '') throw new InputError(`cannot read ${file}: row ${line}: empty label`);
      labelText.push(lab);
      n++;
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`file not found: ${file}`);
    throw new InputError(`cannot read ${file}: ${reason(e)}`);
  }
  if (n === 0) throw new InputError(`cannot read ${file}: no data rows`);
  checkLabelsCategorical({ file, index: lc, labels: labelText, x: x.subarray(0, n * d), d, header });
  // Label mapping: numeric labels sort numerically, otherwise as strings.
  const distinct = [...new Set(labelText)];
  const nums = distinct.map((s) => parseNumber(s));
  let classNames: string[];
  const index = new Map<string, number>();
  if (nums.every((v) => v !== undefined && Number.isFinite(v))) {
    // Group spellings of the same number ("1", "1.0") together.
    const byValue = new Map<number, string[]>();
    distinct.forEach((s, i) => {
      const v = nums[i]!;
      byValue.set(v, [...(byValue.get(v) ?? []), s]);
    });
    const values = [...byValue.keys()].sort((a, b) => a - b);
    classNames = values.map((v) => String(v));
    values.forEach((v, k) => byValue.get(v)!.forEach((s) => index.set(s, k)));
  } else {
    classNames = distinct.sort();
    classNames.forEach((s, k) => index.set(s, k));
  }
  const y = new Int32Array(n);
  for (let r = 0; r < n; r++) y[r] = index.get(labelText[r])!;
  return { x: cap === n ? x : x.slice(0, n * d), y, n, d, classNames, header, labelColumn: lc };
}
