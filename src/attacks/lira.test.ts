import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../util/errors.ts';
import { liraScores } from './lira.ts';
import { auc, roc, summarize } from './metrics.ts';
import { balancedInclusion, normCdf, normal, rng } from './_testing.ts';
import { normLogPdf } from './stats.ts';

/** Hanley-McNeil standard error of an AUC estimate with np positives and nn negatives. */
function aucSe(A: number, np: number, nn: number): number {
  const q1 = A / (2 - A);
  const q2 = (2 * A * A) / (1 + A);
  return Math.sqrt((A * (1 - A) + (np - 1) * (q1 - A * A) + (nn - 1) * (q2 - A * A)) / (np * nn));
}

/**
 * Gaussian world: example i has mean m_i ~ N(0, 1); model k's phi = m_i + d * in_k,i + s * N(0, 1).
 * The optimal test for a single model compares phi - m_i with d/2, with AUC Phi(d / (s sqrt 2)).
 */
function gaussianWorld(models: number, n: number, d: number, s: number, seed: number, queries = 1) {
  const u = rng(seed);
  const g = normal(u);
  const inclusion = balancedInclusion(models, n, u);
  const mean = Float64Array.from({ length: n }, () => g());
  const phi = new Float64Array(models * n * queries);
  for (let k = 0; k < models; k++)
    for (let i = 0; i < n; i++)
      for (let q = 0; q < queries; q++) phi[(k * n + i) * queries + q] = mean[i] + d * inclusion[k * n + i] + s * g();
  return { inclusion, phi, mean };
}

test('LiRA online on Gaussian signals matches the analytic optimum Phi(d / (s sqrt 2))', () => {
  // 128 references (64 IN / 64 OUT per example): the loss from estimating mu and sigma per example is
  // then ~0.007 AUC, well inside the 3-standard-error tolerance (~0.028 at n = 3000).
  const models = 129;
  const n = 3000;
  const d = 1;
  const s = 1;
  const { inclusion, phi, mean } = gaussianWorld(models, n, d, s, 42);
  const data = { inclusion, models, n, target: 0 };
  const member = inclusion.slice(0, n);
  const analytic = normCdf(d / (s * Math.SQRT2));
  const m = summarize(liraScores(phi, data), member);
  const se = aucSe(analytic, m.members, m.nonMembers);
  assert.ok(Math.abs(m.auc - analytic) < 3 * se, `online AUC ${m.auc} vs analytic ${analytic} (3 SE = ${3 * se})`);

  // Paired with the oracle score on the same draw (knows m_i, d, s): LiRA can only lose a little (its
  // 64-model estimates of mu and sigma are noisy), never gain beyond noise.
  const oracle = Float64Array.from({ length: n }, (_, i) => phi[i] - mean[i]);
  const aOracle = auc(roc(oracle, member));
  assert.ok(m.auc <= aOracle + 0.005 && m.auc >= aOracle - 0.015, `LiRA ${m.auc} vs oracle ${aOracle}`);

  // Fixed variance and the one-sided offline test are also near-optimal here (equal variances);
  // the reference code's two-sided offline test is clearly worse (it also flags phi far BELOW mu_out).
  const fixed = summarize(liraScores(phi, data, { variance: 'fixed' }), member).auc;
  const off1 = summarize(liraScores(phi, data, { mode: 'offline' }), member).auc;
  const offF = summarize(liraScores(phi, data, { mode: 'offline', variance: 'fixed' }), member).auc;
  const off2 = summarize(liraScores(phi, data, { mode: 'offline', offlineTest: 'two-sided' }), member).auc;
  for (const [name, v] of [
    ['fixed', fixed],
    ['offline', off1],
    ['offline fixed', offF],
  ] as const) {
    assert.ok(Math.abs(v - analytic) < 3 * se, `${name} AUC ${v} vs analytic ${analytic}`);
    assert.ok(v <= aOracle + 0.005 && v >= aOracle - 0.015, `${name} ${v} vs oracle ${aOracle}`);
  }
  assert.ok(off2 < off1 - 0.05, `two-sided ${off2} should be well below one-sided ${off1}`);
});

test('LiRA without signal is at chance (no leakage through reference counts)', () => {
  const models = 17;
  const n = 4000;
  const { inclusion, phi } = gaussianWorld(models, n, 0, 1, 5);
  const member = inclusion.slice(0, n);
  const data = { inclusion, models, n, target: 0 };
  for (const opts of [{}, { variance: 'fixed' as const }, { mode: 'offline' as const }]) {
    const m = summarize(liraScores(phi, data, opts), member);
    const se = aucSe(0.5, m.members, m.nonMembers);
    assert.ok(Math.abs(m.auc - 0.5) < 3 * se, `AUC ${m.auc} with ${JSON.stringify(opts)}`);
  }
});

test('LiRA online score is exactly the Gaussian log-likelihood ratio (hand check)', () => {
  // 1 target + 4 refs, 1 example; refs 1,2 IN (phi 3, 5), refs 3,4 OUT (phi 0, 1); target phi 4.
  const inclusion = Uint8Array.from([1, 1, 1, 0, 0]);
  const phi = Float64Array.from([4, 3, 5, 0, 1]);
  const data = { inclusion, models: 5, n: 1, target: 0 };
  const [s] = liraScores(phi, data);
  // mu_in = median(3,5) = 4, std 1; mu_out = 0.5, std 0.5
  const want = normLogPdf(4, 4, 1 + 1e-30) - normLogPdf(4, 0.5, 0.5 + 1e-30);
  assert.ok(Math.abs(s - want) < 1e-12);
  const [off2] = liraScores(phi, data, { mode: 'offline', offlineTest: 'two-sided' });
  assert.ok(Math.abs(off2 + normLogPdf(4, 0.5, 0.5)) < 1e-12);
  const [off1] = liraScores(phi, data, { mode: 'offline' });
  // z = 7: -log(1 - Phi(7)) = -log(1.279812543885835e-12)
  assert.ok(Math.abs(off1 + Math.log(1.279812543885835e-12)) < 1e-9);
  // median over an odd count; fixed variance with the reference's shared IN std
  const [f] = liraScores(phi, data, { variance: 'fixed' });
  assert.ok(Math.abs(f - (normLogPdf(4, 4, 1) - normLogPdf(4, 0.5, 1))) < 1e-12);
  const [fs] = liraScores(phi, data, { variance: 'fixed', fixedSigma: 'separate' });
  assert.ok(Math.abs(fs - s) < 1e-12); // one example: global std = per-example std
});

test('several queries: per-query log ratios are averaged', () => {
  const { inclusion, phi } = gaussianWorld(9, 50, 1, 1, 9, 3);
  const data = { inclusion, models: 9, n: 50, target: 2 };
  const all = liraScores(phi, data, { queries: 3 });
  const per = [0, 1, 2].map((q) => {
    const one = new Float64Array(9 * 50);
    for (let k = 0; k < 9 * 50; k++) one[k] = phi[k * 3 + q];
    return liraScores(one, data);
  });
  for (let i = 0; i < 50; i++) assert.ok(Math.abs(all[i] - (per[0][i] + per[1][i] + per[2][i]) / 3) < 1e-12);
  assert.throws(() => liraScores(phi, data), /phi has 1350 values; expected 450/);
});

test('missing IN/OUT references: InputError naming the count, or NaN with allowMissing', () => {
  // refs 1, 2; example 0 IN for both refs (no OUT), example 1 balanced, example 2 OUT for both (no IN)
  const inclusion = Uint8Array.from([0, 1, 0, /* */ 1, 1, 0, /* */ 1, 0, 0]);
  const phi = Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  const data = { inclusion, models: 3, n: 3, target: 0 };
  assert.throws(
    () => liraScores(phi, data),
    (e: unknown) =>
      e instanceof InputError &&
      /1 of 3 examples have no IN reference model and 1 of 3 examples have no OUT reference model/.test(e.message),
  );
  const s = liraScores(phi, data, { allowMissing: true });
  assert.ok(Number.isNaN(s[0]) && Number.isFinite(s[1]) && Number.isNaN(s[2]));
  const off = liraScores(phi, data, { mode: 'offline', allowMissing: true });
  assert.ok(Number.isNaN(off[0]) && Number.isFinite(off[1]) && Number.isFinite(off[2]));
  assert.throws(() => liraScores(phi, data, { mode: 'offline' }), /1 of 3 examples have no OUT/);
});

test('input validation', () => {
  const inclusion = Uint8Array.from([1, 0, 1, 0]);
  const phi = Float64Array.from([0, 1, 2, 3]);
  const data = { inclusion, models: 2, n: 2, target: 0 };
  assert.throws(() => liraScores(Float64Array.from([0, NaN, 2, 3]), data), /not finite/);
  assert.throws(() => liraScores(phi, { ...data, target: 2 }), InputError);
  assert.throws(() => liraScores(phi, { ...data, refs: [0] }), /must not include the target/);
  assert.throws(() => liraScores(phi, { ...data, refs: [] }), /no reference models/);
  assert.throws(() => liraScores(phi, { ...data, n: 3 }), InputError);
  assert.throws(() => liraScores(phi, { ...data, inclusion: Uint8Array.from([1, 0, 2, 0]) }), /expected 0 or 1/);
  // a non-finite value in a row that is not used is fine
  const three = { inclusion: Uint8Array.from([1, 0, 0, 1, 1, 0]), models: 3, n: 2, target: 0, refs: [1] };
  assert.doesNotThrow(() =>
    liraScores(Float64Array.from([0, 1, 2, 3, NaN, 5]), three, { mode: 'offline', allowMissing: true }),
  );
});
