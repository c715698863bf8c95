import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../util/errors.ts';
import { ATTACK_NAMES, computeSignalMatrices, runAttacks } from './index.ts';
import { balancedInclusion, normal, rng } from './_testing.ts';

/** Logits of `models` models on n examples of C classes; training on an example raises its true-class logit. */
function logitWorld(models: number, n: number, C: number, seed: number) {
  const u = rng(seed);
  const g = normal(u);
  const inclusion = balancedInclusion(models, n, u);
  const labels = Int32Array.from({ length: n }, () => Math.floor(u() * C));
  const base = Float64Array.from({ length: n * C }, () => g());
  const hard = Float64Array.from({ length: n }, () => 1 + g());
  const logits: Float32Array[] = [];
  for (let m = 0; m < models; m++) {
    const z = new Float32Array(n * C);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < C; j++)
        z[i * C + j] = base[i * C + j] + (j === labels[i] ? hard[i] + 1.5 * inclusion[m * n + i] : 0) + 0.5 * g();
    logits.push(z);
  }
  return { inclusion, labels, logits };
}

test('runAttacks: every attack on signals computed from logits', () => {
  const models = 9;
  const n = 800;
  const C = 4;
  const { inclusion, labels, logits } = logitWorld(models, n, C, 4);
  const signals = computeSignalMatrices(logits, labels, n, C);
  const res = runAttacks({ signals, inclusion, labels, classes: C, target: 0 });
  assert.deepEqual(
    res.map((r) => r.name),
    ATTACK_NAMES,
  );
  for (const r of res) {
    assert.equal(r.scores.length, n);
    assert.equal(r.evaluated, n);
    assert.equal(r.metrics.members + r.metrics.nonMembers, n);
    assert.ok(r.metrics.auc > 0.55, `${r.name} AUC ${r.metrics.auc}`);
    assert.equal(
      r.threshold !== undefined,
      ['loss', 'confidence', 'entropy', 'modified-entropy', 'phi-threshold'].includes(r.name),
    );
    if (r.threshold) assert.ok(r.threshold.balancedAccuracy > 0.5 && r.threshold.decisions.length === n);
  }
  const get = (name: string) => res.find((r) => r.name === name)!;
  // reference-model attacks beat the global-threshold attack on the same model
  assert.ok(get('lira-online').metrics.auc > get('loss').metrics.auc);
  assert.ok(get('rmia-online').metrics.auc > get('loss').metrics.auc);
  assert.deepEqual(get('rmia-offline').rmia, { a: 0.3, tuned: false, tuneAucs: undefined });
});

test('runAttacks: subset of attacks, tuned RMIA a, allowMissing and errors', () => {
  const models = 6;
  const n = 400;
  const C = 3;
  const { inclusion, labels, logits } = logitWorld(models, n, C, 9);
  const signals = computeSignalMatrices(logits, labels, n, C, { temperature: 2 });
  const res = runAttacks({
    signals,
    inclusion,
    labels,
    classes: C,
    target: 0,
    attacks: ['rmia-offline', 'lira-offline-fixed'],
    rmia: { a: 'tune', pairedTarget: 1, trim: 0.2 },
  });
  assert.deepEqual(
    res.map((r) => r.name),
    ['rmia-offline', 'lira-offline-fixed'],
  );
  const t = res[0].rmia!;
  assert.ok(t.tuned && t.tuneAucs!.length === 11 && t.a >= 0 && t.a <= 1);

  // two references only: some examples have no IN reference -> error, or NaN and fewer evaluated
  const refs = [1, 2];
  assert.throws(
    () => runAttacks({ signals, inclusion, labels, classes: C, target: 0, refs, attacks: ['lira-online'] }),
    (e: unknown) => e instanceof InputError && /examples have no IN reference/.test(e.message),
  );
  const r = runAttacks({
    signals,
    inclusion,
    labels,
    classes: C,
    target: 0,
    refs,
    attacks: ['lira-online'],
    lira: { allowMissing: true },
  })[0];
  assert.ok(r.evaluated < n && r.evaluated > 0);
  assert.equal(r.metrics.members + r.metrics.nonMembers, r.evaluated);

  assert.throws(
    () => runAttacks({ signals: { pY: signals.pY }, inclusion, labels, classes: C, target: 0, attacks: ['loss'] }),
    /needs the 'negLoss' signal/,
  );
  assert.throws(
    () =>
      runAttacks({ signals, inclusion, labels, classes: C, target: 0, attacks: ['rmia-offline'], rmia: { a: 'tune' } }),
    /pairedTarget/,
  );
  assert.throws(
    () => runAttacks({ signals, inclusion: inclusion.subarray(1), labels, classes: C, target: 0 }),
    InputError,
  );
});

test('runAttacks: LiRA with several queries and phi-threshold on the query mean', () => {
  const models = 9;
  const n = 300;
  const Q = 2;
  const u = rng(2);
  const g = normal(u);
  const inclusion = balancedInclusion(models, n, u);
  const phi = new Float64Array(models * n * Q);
  for (let k = 0; k < models * n; k++) for (let q = 0; q < Q; q++) phi[k * Q + q] = inclusion[k] * 2 + g();
  const labels = new Int32Array(n);
  const res = runAttacks({ signals: { phi }, inclusion, labels, classes: 1, target: 0, lira: { queries: Q } });
  assert.deepEqual(
    res.map((r) => r.name),
    ['lira-online', 'lira-online-fixed', 'lira-offline', 'lira-offline-fixed', 'phi-threshold'],
  );
  for (const r of res) assert.ok(r.metrics.auc > 0.75, `${r.name} ${r.metrics.auc}`);
});
