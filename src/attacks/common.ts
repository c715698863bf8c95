// Shared input description and validation for the reference-model attacks.

import { check } from '../util/errors.ts';

/**
 * The audit design shared by LiRA, RMIA and the threshold attacks. Signal matrices are [models x n]
 * row-major (row m = model m's signal on every example); `inclusion` has the same layout with
 * 1 where the example was in that model's training set.
 */
export interface AttackData {
  /** [models x n] row-major, 1 = member of that model's training set, 0 = not. */
  inclusion: Uint8Array;
  /** Number of models (rows). */
  models: number;
  /** Number of examples (columns). */
  n: number;
  /** Row index of the attacked (target) model. */
  target: number;
  /** Row indices of the reference (shadow) models; default every row except the target. */
  refs?: readonly number[];
}

/** Validates the design and returns the reference rows (never containing the target). */
export function resolveDesign(data: AttackData): number[] {
  const { inclusion, models, n, target } = data;
  check(Number.isInteger(models) && models >= 1, `models must be a positive integer (got ${models})`);
  check(Number.isInteger(n) && n >= 1, `n must be a positive integer (got ${n})`);
  check(
    inclusion.length === models * n,
    () => `inclusion has ${inclusion.length} entries; expected models * n = ${models} * ${n} = ${models * n}`,
  );
  for (let k = 0; k < inclusion.length; k++) {
    if (inclusion[k] > 1) check(false, `inclusion entry ${k} is ${inclusion[k]}; expected 0 or 1`);
  }
  checkRow('target', target, models);
  let refs: number[];
  if (data.refs === undefined) {
    refs = [];
    for (let m = 0; m < models; m++) if (m !== target) refs.push(m);
  } else {
    refs = [...data.refs];
    const seen = new Set<number>();
    for (const r of refs) {
      checkRow('reference model', r, models);
      check(r !== target, `reference models must not include the target model (row ${target})`);
      check(!seen.has(r), `reference model ${r} is listed twice`);
      seen.add(r);
    }
  }
  check(refs.length > 0, 'no reference models: need at least one row besides the target');
  return refs;
}

/** Checks that `row` is a valid row index. */
export function checkRow(what: string, row: number, models: number): void {
  check(
    Number.isInteger(row) && row >= 0 && row < models,
    () => `${what} index ${row} is out of range; expected an integer in 0..${models - 1}`,
  );
}

/** Checks that `mat` has models * rowLen values and that rows `rows` of the [models x rowLen] matrix are finite. */
export function checkSignalMatrix(
  name: string,
  mat: Float64Array,
  models: number,
  rowLen: number,
  rows: readonly number[],
): void {
  check(
    mat.length === models * rowLen,
    () =>
      `${name} has ${mat.length} values; expected ${models * rowLen} (${models} models x ${rowLen} values per model)`,
  );
  for (const r of rows) {
    const off = r * rowLen;
    for (let k = 0; k < rowLen; k++) {
      const v = mat[off + k];
      if (!Number.isFinite(v)) check(false, `${name} of model ${r} is not finite at position ${k} (${v})`);
    }
  }
}

/** Membership of the target model's examples: row `target` of the inclusion matrix (a copy). */
export function targetMembership(data: AttackData): Uint8Array {
  return data.inclusion.slice(data.target * data.n, (data.target + 1) * data.n);
}
