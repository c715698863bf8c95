import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../util/errors.ts';
import { auc, balancedAccuracy, roc, summarize, tprAtFpr } from './metrics.ts';
import { rng } from './_testing.ts';

const f64 = (a: number[]) => Float64Array.from(a);
const u8 = (a: number[]) => Uint8Array.from(a);

test('roc: hand-computed curve with a tie forming one step', () => {
  const r = roc(f64([0.9, 0.8, 0.8, 0.1]), u8([1, 0, 1, 0]));
  assert.deepEqual([...r.fpr], [0, 0, 0.5, 1]);
  assert.deepEqual([...r.tpr], [0, 0.5, 1, 1]);
  assert.deepEqual([...r.thresholds], [Infinity, 0.9, 0.8, 0.1]);
  assert.equal(r.positives, 2);
  assert.equal(r.negatives, 2);
  assert.equal(auc(r), 0.875); // Mann-Whitney: (1 + 1 + 0.5 + 1) / 4
  assert.equal(balancedAccuracy(r), 0.75);
});

test('roc: all scores tied gives the diagonal and AUC 0.5', () => {
  const r = roc(f64([3, 3, 3, 3, 3]), u8([1, 0, 0, 1, 0]));
  assert.deepEqual([...r.fpr], [0, 1]);
  assert.deepEqual([...r.tpr], [0, 1]);
  assert.equal(auc(r), 0.5);
  assert.equal(balancedAccuracy(r), 0.5);
});

test('roc: perfect and inverted separation', () => {
  assert.equal(auc(roc(f64([5, 4, 1, 0]), u8([1, 1, 0, 0]))), 1);
  assert.equal(auc(roc(f64([5, 4, 1, 0]), u8([0, 0, 1, 1]))), 0);
  assert.equal(balancedAccuracy(roc(f64([5, 4, 1, 0]), u8([1, 1, 0, 0]))), 1);
});

test('auc equals the Mann-Whitney statistic on random data with many ties', () => {
  const u = rng(7);
  const n = 400;
  const s = new Float64Array(n);
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    m[i] = u() < 0.4 ? 1 : 0;
    s[i] = Math.floor(u() * 10) + m[i] * Math.floor(u() * 3);
  }
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    if (m[i] !== 1) continue;
    for (let j = 0; j < n; j++) {
      if (m[j] !== 0) continue;
      pairs++;
      wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }
  assert.ok(Math.abs(auc(roc(s, m)) - wins / pairs) < 1e-12);
});

test('tprAtFpr: <= by default, < with strict (LiRA plot.py), boundary at an exact ROC point', () => {
  const r = roc(f64([0.9, 0.8, 0.8, 0.1]), u8([1, 0, 1, 0])); // points (0,0) (0,.5) (.5,1) (1,1)
  assert.equal(tprAtFpr(r, 0.5), 1);
  assert.equal(tprAtFpr(r, 0.5, { strict: true }), 0.5);
  assert.equal(tprAtFpr(r, 0.49), 0.5);
  assert.equal(tprAtFpr(r, 0), 0.5);
  assert.equal(tprAtFpr(r, 0, { strict: true }), 0);
  assert.equal(tprAtFpr(r, 1), 1);
  assert.equal(tprAtFpr(r, 1, { strict: true }), 1);
});

test('summarize: counts and low-FPR TPRs', () => {
  // 1000 non-members with scores 0..999, 10 members: 5 above all non-members, 5 at the bottom.
  const s: number[] = [];
  const m: number[] = [];
  for (let i = 0; i < 1000; i++) {
    s.push(i);
    m.push(0);
  }
  for (let k = 0; k < 5; k++) {
    s.push(2000 + k, -1 - k);
    m.push(1, 1);
  }
  const r = summarize(f64(s), u8(m));
  assert.equal(r.members, 10);
  assert.equal(r.nonMembers, 1000);
  assert.equal(r.tprAt0_1pct, 0.5); // FPR 0.001 = 1 non-member above threshold: still only the 5 top members
  assert.equal(r.tprAt1pct, 0.5);
  assert.ok(Math.abs(r.auc - 0.5) < 1e-12); // 5 * 1000 wins + 5 * 0 wins over 10 * 1000 pairs
});

test('non-finite scores and bad labels are rejected with InputError', () => {
  assert.throws(() => roc(f64([0.1, NaN]), u8([1, 0])), InputError);
  assert.throws(() => roc(f64([0.1, Infinity]), u8([1, 0])), InputError);
  assert.throws(() => summarize(f64([0.1, -Infinity]), u8([1, 0])), InputError);
  assert.throws(() => roc(f64([0.1, 0.2]), u8([1, 0, 1])), /differ in length/);
  assert.throws(() => roc(f64([0.1, 0.2]), u8([1, 1])), /no non-members/);
  assert.throws(() => roc(f64([0.1, 0.2]), u8([0, 0])), /no members/);
  assert.throws(() => roc(f64([0.1, 0.2]), u8([2, 0])), InputError);
});

test('roc on 1e5 scores is fast', () => {
  const u = rng(11);
  const n = 100000;
  const s = new Float64Array(n);
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    m[i] = u() < 0.5 ? 1 : 0;
    s[i] = u() + 0.1 * m[i];
  }
  const t0 = performance.now();
  summarize(s, m);
  assert.ok(performance.now() - t0 < 1000);
});
