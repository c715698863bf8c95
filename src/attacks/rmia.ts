// RMIA, the relative membership-inference attack (Zarifzadeh et al. 2024), on a precomputed signal matrix.
// Follows privacytrustlab/ml_privacy_meter (see /work/shared/SPECS.md).

import { check } from '../util/errors.ts';
import { type AttackData, resolveDesign, checkSignalMatrix, checkRow, targetMembership } from './common.ts';
import { auc, roc } from './metrics.ts';
import { countLess, trimmedMeanInPlace } from './stats.ts';

export interface RmiaOptions {
  /** 'online' (default): Pr(x) = mean of p over all references (IN and OUT); 'offline': from OUT references only. */
  mode?: 'online' | 'offline';
  /** Offline interpolation: Pr(x) = ((1 + a)/2) * mean_OUT(x) + (1 - a)/2. Default 0.3 (paper config); see tuneA. */
  a?: number;
  /** Pairwise threshold: score(x) = fraction of z with R_x / R_z > gamma. Default 2 (paper config; the tool's default is 1). */
  gamma?: number;
  /**
   * Proportion cut from EACH end before averaging the reference signals (scipy trim_mean). Default 0
   * (plain mean, the formula of SPECS); the paper's configs use 0.2.
   */
  trim?: number;
  /**
   * The population samples z. Default: every example that is OUT for the target model (known to the
   * auditor). Pass the column indices of a separate population (e.g. held-out records that no model
   * trained on) to follow the reference tool exactly.
   */
  zIndices?: Int32Array;
  /**
   * Offline only: use the same number k of OUT references for every example (the first k in `refs`
   * order, k the smallest OUT count over examples that have one), as the reference code does. Default true.
   */
  equalizeCounts?: boolean;
  /** Offline only: examples without an OUT reference score NaN (and leave the z set) instead of an InputError. */
  allowMissing?: boolean;
}

/**
 * Per-example RMIA ratio R(x) = p_target(x) / Pr(x) of the target model (NaN where Pr(x) is undefined,
 * offline without OUT references and allowMissing). Pr(x) is floored at the smallest positive double.
 */
export function rmiaRatios(pY: Float64Array, data: AttackData, opts: RmiaOptions = {}): Float64Array {
  const refs = resolveDesign(data);
  const { inclusion, models, n, target } = data;
  const mode = opts.mode ?? 'online';
  const a = opts.a ?? 0.3;
  const trim = opts.trim ?? 0;
  check(mode === 'online' || mode === 'offline', `unknown RMIA mode '${mode}'; expected online or offline`);
  check(Number.isFinite(a) && a >= 0 && a <= 1, `RMIA offline a must be in [0, 1] (got ${a})`);
  check(Number.isFinite(trim) && trim >= 0 && trim < 0.5, `RMIA trim proportion must be in [0, 0.5) (got ${trim})`);
  checkSignalMatrix('pY', pY, models, n, [target, ...refs]);
  for (const r of [target, ...refs]) {
    for (let i = 0; i < n; i++) {
      if (pY[r * n + i] < 0) check(false, `pY of model ${r} is negative at example ${i} (${pY[r * n + i]})`);
    }
  }
  const R = refs.length;
  const offline = mode === 'offline';
  const buf = new Float64Array(R);
  const out = new Float64Array(n);

  let kOut = R;
  let missing = 0;
  const cout = new Int32Array(n);
  if (offline) {
    for (const r of refs) for (let i = 0; i < n; i++) cout[i] += 1 - inclusion[r * n + i];
    for (let i = 0; i < n; i++) {
      if (cout[i] === 0) missing++;
      else kOut = Math.min(kOut, cout[i]);
    }
    check(
      missing === 0 || opts.allowMissing === true,
      () =>
        `RMIA offline: ${missing} of ${n} examples have no OUT reference model among ${R} references; use more ` +
        `reference models or a balanced inclusion design, or pass allowMissing to score them NaN`,
    );
  }
  const equalize = opts.equalizeCounts ?? true;
  for (let i = 0; i < n; i++) {
    let len = 0;
    if (offline) {
      if (cout[i] === 0) {
        out[i] = NaN;
        continue;
      }
      const want = equalize ? kOut : cout[i];
      for (let k = 0; k < R && len < want; k++) {
        const r = refs[k];
        if (inclusion[r * n + i] === 0) buf[len++] = pY[r * n + i];
      }
    } else {
      for (let k = 0; k < R; k++) buf[len++] = pY[refs[k] * n + i];
    }
    let pr = trimmedMeanInPlace(buf, len, trim);
    if (offline) pr = ((1 + a) / 2) * pr + (1 - a) / 2;
    out[i] = pY[target * n + i] / Math.max(pr, Number.MIN_VALUE);
  }
  return out;
}

/**
 * RMIA scores of the target model's n examples, in [0, 1] (higher = more likely a member):
 * score(x) = fraction of population samples z (z != x) with R_x / R_z > gamma, where R = p_target / Pr
 * (see rmiaRatios). `pY` is the true-class softmax probability (at the chosen temperature), [models x n].
 * When x is itself in the z set it is left out of its own comparison, but the denominator stays |Z| for
 * every x: a per-x denominator (|Z| - 1 for the target's non-members) would break the many exact ties of
 * confident models in favour of non-members and invert the ranking. O((n + |Z|) log |Z|): the R_z are sorted once
 * and each x is a binary search.
 */
export function rmiaScores(pY: Float64Array, data: AttackData, opts: RmiaOptions = {}): Float64Array {
  const gamma = opts.gamma ?? 2;
  check(Number.isFinite(gamma) && gamma > 0, `RMIA gamma must be a positive number (got ${gamma})`);
  const ratios = rmiaRatios(pY, data, opts);
  const { n } = data;
  const inZ = new Uint8Array(n);
  if (opts.zIndices === undefined) {
    const member = targetMembership(data);
    for (let i = 0; i < n; i++) inZ[i] = member[i] === 0 ? 1 : 0;
  } else {
    for (const z of opts.zIndices) {
      check(Number.isInteger(z) && z >= 0 && z < n, `z index ${z} is out of range; expected 0..${n - 1}`);
      check(inZ[z] === 0, `z index ${z} is listed twice`);
      inZ[z] = 1;
    }
  }
  // Population samples without a defined ratio (allowMissing) leave the z set.
  let zCount = 0;
  for (let i = 0; i < n; i++) {
    if (inZ[i] === 1 && Number.isNaN(ratios[i])) inZ[i] = 0;
    zCount += inZ[i];
  }
  check(zCount >= 2, `RMIA needs at least 2 population samples z with a defined ratio (got ${zCount})`);
  const zSorted = new Float64Array(zCount);
  for (let i = 0, k = 0; i < n; i++) if (inZ[i] === 1) zSorted[k++] = ratios[i];
  zSorted.sort();

  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const rx = ratios[i];
    if (Number.isNaN(rx)) {
      scores[i] = NaN;
      continue;
    }
    // R_x / R_z > gamma  <=>  R_z < R_x / gamma for R_z >= 0 (R_z = 0 counts iff R_x > 0, as x/0 = inf).
    const thr = rx / gamma;
    let count = countLess(zSorted, thr);
    if (inZ[i] === 1 && rx < thr) count--; // x compared with itself (only when gamma < 1)
    scores[i] = count / zCount;
  }
  return scores;
}

export interface TuneAResult {
  /** The a in {0, 0.1, ..., 1} with the highest AUC (the smallest such a on ties). */
  a: number;
  /** Its AUC on the paired model. */
  auc: number;
  /** AUC for each a of the grid 0, 0.1, ..., 1 (index k is a = k / 10). */
  aucs: Float64Array;
}

/**
 * Tunes RMIA's offline `a` as the reference tool: attack the paired model (`pairedTarget`, trained on
 * the complement of the target's half) using only `pairedRef` (one reference, or a few), offline, for
 * a = 0, 0.1, ..., 1, and keep the a with the best AUC. Examples without an OUT reference among
 * `pairedRef` are left out of the AUC (and of the z set). Neither argument may be the real target.
 * `opts` (gamma, trim, zIndices, equalizeCounts) are passed to each offline attack.
 */
export function tuneA(
  pY: Float64Array,
  design: Pick<AttackData, 'inclusion' | 'models' | 'n'>,
  pairedTarget: number,
  pairedRef: number | readonly number[],
  opts: Omit<RmiaOptions, 'mode' | 'a' | 'allowMissing'> = {},
): TuneAResult {
  checkRow('paired target', pairedTarget, design.models);
  const refs = typeof pairedRef === 'number' ? [pairedRef] : [...pairedRef];
  const data: AttackData = { ...design, target: pairedTarget, refs };
  const member = targetMembership(data);
  const aucs = new Float64Array(11);
  let best = -1;
  let bestA = 0;
  for (let k = 0; k <= 10; k++) {
    const a = k / 10;
    const s = rmiaScores(pY, data, { ...opts, mode: 'offline', a, allowMissing: true });
    const keep: number[] = [];
    for (let i = 0; i < s.length; i++) if (!Number.isNaN(s[i])) keep.push(i);
    const v = auc(
      roc(
        Float64Array.from(keep, (i) => s[i]),
        Uint8Array.from(keep, (i) => member[i]),
      ),
    );
    aucs[k] = v;
    if (v > best) {
      best = v;
      bestA = a;
    }
  }
  return { a: bestA, auc: best, aucs };
}
