import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../engine/index.ts';
import { InputError } from '../../util/errors.ts';
import { checkClassOutputs, hampDefaults, hampLoss, hampSoftLabel, validateHamp } from './objective.ts';
import { checkGradient } from '../../train/objectives/_gradcheck.ts';

const entropy = (top: number, rest: number, K: number) => -top * Math.log(top) - (K - 1) * rest * Math.log(rest);

test("HAMP soft labels match the reference's check values and reach the target entropy", () => {
  // shared/SPECS.md: (dataset, K, gamma) -> top / rest
  const cases: [string, number, number, string][] = [
    ['cifar10', 10, 0.26, '0.0822'],
    ['cifar100', 100, 0.64, '0.00364'],
    ['purchase100', 100, 0.33, '0.00677'],
    ['texas100', 100, 0.54, '0.00465'],
    ['location', 30, 0.68, '0.01103'],
  ];
  for (const [dataset, K, top, rest] of cases) {
    const digits = rest.replace(/^0\.0*/, '').length;
    const { gamma } = hampDefaults(dataset);
    const s = hampSoftLabel(K, gamma);
    assert.ok(Math.abs(s.top - top) < 1e-9, `${dataset}: top ${s.top}, want ${top}`);
    assert.equal(s.rest.toPrecision(digits), rest, `${dataset}: rest ${s.rest}, want ${rest}`);
    assert.ok(Math.abs(s.top + (K - 1) * s.rest - 1) < 1e-12, `${dataset}: sums to 1`);
    const target = gamma * Math.log(K);
    assert.ok(entropy(s.top, s.rest, K) >= target, `${dataset}: entropy reaches gamma ln K`);
    const prev = s.top + 0.01;
    assert.ok(entropy(prev, (1 - prev) / (K - 1), K) < target, `${dataset}: one step less stays below the target`);
  }
  assert.deepEqual([hampDefaults('location').gamma, hampDefaults('location').alpha], [0.5, 0.001]);
});

test('HAMP loss is the mean KL over batch and classes minus alpha times the mean entropy', () => {
  const z = [2, 0, -1, 0.5, 1.5, 0.5];
  const y = [0, 2];
  const K = 3;
  const { top, rest } = hampSoftLabel(K, 0.5);
  let kl = 0;
  let h = 0;
  for (let i = 0; i < 2; i++) {
    const row = z.slice(i * K, (i + 1) * K);
    const lse = Math.log(row.reduce((a, v) => a + Math.exp(v), 0));
    for (let j = 0; j < K; j++) {
      const t = j === y[i] ? top : rest;
      const logp = row[j] - lse;
      kl += t * (Math.log(t) - logp);
      h -= Math.exp(logp) * logp;
    }
  }
  const alpha = 0.3;
  const want = kl / (2 * K) - (alpha * h) / 2;
  const got = hampLoss(tensor(Float64Array.from(z), [2, 3], 'float64'), tensor(BigInt64Array.from(y, BigInt), [2], 'int64'), { gamma: 0.5, alpha }).item();
  assert.ok(Math.abs(got - want) < 1e-12, `${got} vs ${want}`);
});

test('HAMP gradients match finite differences (float64)', () => {
  const z = [2, 0, -1, 0.3, 0.5, 1.5, 0.5, -0.2];
  for (const alpha of [0, 0.001, 0.5]) checkGradient((l, y) => hampLoss(l, y, { gamma: 0.7, alpha }), z, [2, 4], [0, 3]);
});

test('HAMP rejects gamma outside (0, 1), negative alpha and models without class outputs', () => {
  for (const bad of [{ gamma: 0, alpha: 0 }, { gamma: 1, alpha: 0 }, { gamma: 1.2, alpha: 0 }, { gamma: 0.5, alpha: -1 }, { gamma: NaN, alpha: 0 }])
    assert.throws(() => validateHamp(bad), InputError, JSON.stringify(bad));
  assert.throws(() => checkClassOutputs([8, 1], 'HAMP'), /class outputs/);
  assert.throws(() => checkClassOutputs([8], 'HAMP'), /class outputs/);
  assert.throws(() => hampLoss(tensor(new Float32Array(4), [4, 1]), tensor(new BigInt64Array(4), [4], 'int64'), { gamma: 0.5, alpha: 0 }), InputError);
});
