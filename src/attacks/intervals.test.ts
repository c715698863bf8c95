import { test } from 'node:test';
import assert from 'node:assert/strict';
import { betaCdf, betaQuantile, clopperPearson } from './beta.ts';
import { metricIntervals, overlaps } from './intervals.ts';
import { auditedEpsilon } from './audited-epsilon.ts';
import { auc, roc, tprAtFpr, type Roc } from './metrics.ts';
import { Rng } from '../util/rng.ts';

// scipy 1.10.1: beta.ppf(p, a, b) and beta.cdf(x, a, b)
const PPF: [number, number, number, number][] = [
  [0.025, 3, 998, 0.0006190999316495713],
  [0.975, 4, 997, 0.008742023238478303],
  [0.025, 1, 5000, 5.06354877705159e-6],
  [0.975, 29, 4972, 0.008083463298635194],
  [0.5, 0.5, 0.5, 0.4999999999999999],
  [0.001, 2.5, 7.25, 0.01309830143937922],
  [0.999, 50, 50, 0.6512521734029477],
  [0.025, 1500, 1, 0.9975437685158015],
  [0.975, 1, 1500, 0.002456231484198528],
];
const CDF: [number, number, number, number][] = [
  [0.3, 2, 5, 0.5798250000000003],
  [0.01, 3, 998, 0.9973205680062085],
  [0.9, 50, 10, 0.9334105544171287],
  [0.5, 0.5, 0.5, 0.5000000000000001],
];

test('beta CDF and quantiles equal scipy.stats.beta', () => {
  for (const [x, a, b, want] of CDF) assert.ok(Math.abs(betaCdf(x, a, b) - want) < 1e-12, `cdf(${x}; ${a}, ${b})`);
  for (const [p, a, b, want] of PPF) assert.ok(Math.abs(betaQuantile(p, a, b) - want) < 1e-12 * Math.max(1, want) + 1e-15, `ppf(${p}; ${a}, ${b}) = ${betaQuantile(p, a, b)}`);
});

test('Clopper-Pearson: closed forms at k = 0 and k = n, the usual bounds inside', () => {
  const [lo0, hi0] = clopperPearson(0, 1000);
  assert.equal(lo0, 0);
  assert.ok(Math.abs(hi0 - (1 - 0.025 ** (1 / 1000))) < 1e-12);
  const [loN, hiN] = clopperPearson(1000, 1000);
  assert.equal(hiN, 1);
  assert.ok(Math.abs(loN - 0.025 ** (1 / 1000)) < 1e-12);
  const [lo, hi] = clopperPearson(3, 1000);
  assert.ok(Math.abs(lo - PPF[0][3]) < 1e-15 && Math.abs(hi - PPF[1][3]) < 1e-15);
  assert.throws(() => clopperPearson(5, 4), /0 <= k <= n/);
});

/** Scores where members sit `shift` higher than non-members, with ties from rounding. */
function scored(n: number, shift: number, seed: number): { scores: Float64Array; member: Uint8Array } {
  const rng = new Rng(seed);
  const member = Uint8Array.from({ length: n }, (_, i) => i % 2);
  const scores = Float64Array.from(member, (m) => Math.round((rng.normal() + m * shift) * 20) / 20);
  return { scores, member };
}

test('bootstrap intervals equal a naive resample-and-recompute with the same draws', () => {
  const { scores, member } = scored(600, 1, 3);
  const got = metricIntervals(scores, member, { resamples: 50, seed: 9 });
  const rng = new Rng(9);
  const m = Int32Array.from(scores.keys()).filter((i) => member[i] === 1);
  const o = Int32Array.from(scores.keys()).filter((i) => member[i] !== 1);
  const aucs: number[] = [];
  const t1: number[] = [];
  for (let b = 0; b < 50; b++) {
    const idx = [...Array.from(m, () => m[rng.int(m.length)]), ...Array.from(o, () => o[rng.int(o.length)])];
    const c = roc(Float64Array.from(idx, (i) => scores[i]), Uint8Array.from(idx, (i) => member[i]));
    aucs.push(auc(c));
    t1.push(tprAtFpr(c, 0.01));
  }
  const pct = (v: number[], q: number) => {
    const s = [...v].sort((a, b) => a - b);
    const pos = q * (s.length - 1);
    const lo = Math.floor(pos);
    return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
  };
  assert.ok(Math.abs(got.auc.low - pct(aucs, 0.025)) < 1e-12 && Math.abs(got.auc.high - pct(aucs, 0.975)) < 1e-12);
  assert.ok(Math.abs(got.tprAt1pct.bootstrap.low - pct(t1, 0.025)) < 1e-12 && Math.abs(got.tprAt1pct.bootstrap.high - pct(t1, 0.975)) < 1e-12);
});

test('intervals: same seed same bytes, they hold the estimate, and they narrow with more examples', () => {
  const small = scored(400, 1, 1);
  const a = metricIntervals(small.scores, small.member, { resamples: 200, seed: 4 });
  assert.deepEqual(a, metricIntervals(small.scores, small.member, { resamples: 200, seed: 4 }));
  const c = roc(small.scores, small.member);
  assert.ok(a.auc.low < auc(c) && auc(c) < a.auc.high);
  const t = tprAtFpr(c, 0.01);
  assert.ok(a.tprAt1pct.exact.low <= t && t <= a.tprAt1pct.exact.high);
  const big = scored(8000, 1, 1);
  const b = metricIntervals(big.scores, big.member, { resamples: 200, seed: 4 });
  assert.ok(b.auc.high - b.auc.low < (a.auc.high - a.auc.low) / 2);
  assert.ok(overlaps(a.auc, b.auc));
  assert.equal(overlaps({ low: 0, high: 0.1 }, { low: 0.2, high: 0.3 }), false);
});

test('audited epsilon equals a scipy recomputation, and is 0 without signal', () => {
  // ROC points (k members, f non-members) of 1000 each; scipy: 2.1798244419546986 at (300, 20), delta 1e-5
  const pts = [
    [0, 0],
    [50, 1],
    [300, 20],
    [900, 400],
    [1000, 1000],
  ];
  const curve: Roc = {
    tpr: Float64Array.from(pts, (p) => p[0] / 1000),
    fpr: Float64Array.from(pts, (p) => p[1] / 1000),
    thresholds: Float64Array.from([Infinity, 4, 3, 2, 1]),
    positives: 1000,
    negatives: 1000,
  };
  const e = auditedEpsilon(curve, 1e-5);
  assert.ok(Math.abs(e.epsilon - 2.1798244419546986) < 1e-9, String(e.epsilon));
  assert.equal(e.at?.threshold, 3);
  // perfectly separated, 100 and 100: TPR_lo = 0.025^(1/100) = 1 - FPR_hi
  const sep = Uint8Array.from({ length: 200 }, (_, i) => (i < 100 ? 1 : 0));
  const perfect = auditedEpsilon(roc(Float64Array.from(sep), sep), 0);
  const L = 0.025 ** (1 / 100);
  assert.ok(Math.abs(perfect.epsilon - Math.log(L / (1 - L))) < 1e-9, String(perfect.epsilon));
  const none = scored(2000, 0, 5);
  assert.equal(auditedEpsilon(roc(none.scores, none.member), 1e-5).epsilon, 0);
});
