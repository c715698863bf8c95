import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../util/errors.ts';
import { chooseThreshold, thresholdAttack } from './threshold.ts';

const f64 = (a: number[]) => Float64Array.from(a);

test('chooseThreshold: separable values pick the smallest member value; ties resolved low', () => {
  assert.deepEqual(chooseThreshold(f64([5, 6, 5.5]), f64([1, 2])), { threshold: 5, balancedAccuracy: 1 });
  // overlapping: members {1, 3}, non-members {2, 0}: t = 3 -> 0.5 * (1/2 + 2/2) = 0.75; t = 1 -> 0.5 * (1 + 1/2) = 0.75
  assert.deepEqual(chooseThreshold(f64([1, 3]), f64([2, 0])), { threshold: 1, balancedAccuracy: 0.75 });
  // tied values across classes form one candidate
  assert.deepEqual(chooseThreshold(f64([2, 2]), f64([2, 1])), { threshold: 2, balancedAccuracy: 0.75 });
  assert.throws(() => chooseThreshold(f64([]), f64([1])), InputError);
});

/**
 * Toy with 2 classes where a single global threshold cannot separate but per-class thresholds can:
 * class 0 members ~ 5..6, non-members ~ 1..2; class 1 members ~ 15..16, non-members ~ 11..12.
 */
function toy() {
  const models = 4;
  const n = 40;
  const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
  const inclusion = new Uint8Array(models * n);
  const signal = new Float64Array(models * n);
  for (let m = 0; m < models; m++)
    for (let i = 0; i < n; i++) {
      const inn = (i >> 1) % 2 === m % 2 ? 1 : 0; // each model has half of each class
      inclusion[m * n + i] = inn;
      const base = labels[i] === 0 ? 1 : 11;
      signal[m * n + i] = base + (inn ? 4 : 0) + ((i * 7 + m * 3) % 10) / 10;
    }
  return { models, n, labels, inclusion, signal };
}

test('per-class thresholds from the references classify a separable target perfectly', () => {
  const { models, n, labels, inclusion, signal } = toy();
  const r = thresholdAttack(signal, { inclusion, models, n, target: 0, labels, classes: 2 });
  assert.ok(r.thresholds[0] > 2 && r.thresholds[0] <= 5, `class 0 threshold ${r.thresholds[0]}`);
  assert.ok(r.thresholds[1] > 12 && r.thresholds[1] <= 15, `class 1 threshold ${r.thresholds[1]}`);
  assert.deepEqual([...r.fallback], [0, 0]);
  assert.equal(r.accuracy, 1);
  assert.equal(r.balancedAccuracy, 1);
  assert.equal(r.tpr, 1);
  assert.equal(r.fpr, 0);
  assert.deepEqual([...r.decisions], [...inclusion.slice(0, n)]);
  // the threshold-free AUC of the raw signal is not perfect (class 1 non-members beat class 0 members)
  assert.ok(r.metrics.auc < 1 && r.metrics.auc > 0.5);
  assert.equal(r.metrics.members + r.metrics.nonMembers, n);
});

test('a class without shadow non-members falls back to the all-class threshold', () => {
  const { models, n, labels, inclusion, signal } = toy();
  const lab = Int32Array.from(labels);
  // relabel example 3 (a class-1 example) as class 2, IN for all references except... make it IN everywhere
  lab[3] = 2;
  for (let m = 0; m < models; m++) inclusion[m * n + 3] = 1;
  const r = thresholdAttack(signal, { inclusion, models, n, target: 0, labels: lab, classes: 3 });
  assert.deepEqual([...r.fallback], [0, 0, 1]);
  assert.ok(Number.isFinite(r.thresholds[2]));
});

test('input validation', () => {
  const { models, n, labels, inclusion, signal } = toy();
  const data = { inclusion, models, n, target: 0, labels, classes: 2 };
  assert.throws(() => thresholdAttack(signal, { ...data, classes: 1 }), /label 1 is 1/);
  assert.throws(() => thresholdAttack(signal, { ...data, labels: labels.subarray(1) }), InputError);
  const bad = Float64Array.from(signal);
  bad[5] = NaN;
  assert.throws(() => thresholdAttack(bad, data), /not finite/);
});
