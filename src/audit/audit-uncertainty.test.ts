import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accountedEpsilon, bestAudited, summarizeAttacks } from './attack-set.ts';
import type { AttackResult } from '../attacks/index.ts';
import { summarize } from '../attacks/index.ts';
import type { Recipe } from '../train/index.ts';
import { Rng } from '../util/rng.ts';

function result(name: 'loss' | 'rmia-online', shift: number, member: Uint8Array): AttackResult {
  const rng = new Rng(shift * 10);
  const scores = Float64Array.from(member, (m) => rng.normal() + m * shift);
  return { name, scores, metrics: summarize(scores, member), evaluated: member.length };
}

test('each attack summary carries seeded intervals and its audited epsilon; the best attack is named', () => {
  const member = Uint8Array.from({ length: 2000 }, (_, i) => i % 2);
  const results = [result('loss', 0.1, member), result('rmia-online', 3, member)];
  const u = { resamples: 100, delta: 1e-5, seed: 0 };
  const a = summarizeAttacks(results, member, u);
  assert.deepEqual(a, summarizeAttacks(results, member, u));
  assert.ok(a[1].intervals!.auc.low > 0.9 && a[0].intervals!.auc.high < 0.6);
  assert.ok(a[1].auditedEpsilon!.epsilon > 2);
  assert.deepEqual(bestAudited(a, 1e-5), { epsilon: a[1].auditedEpsilon!.epsilon, attack: 'rmia-online', delta: 1e-5, level: 0.95 });
  // another seed, other resamples: intervals move, the point metrics do not
  const b = summarizeAttacks(results, member, { ...u, seed: 1 });
  assert.notDeepEqual(b[0].intervals, a[0].intervals);
  assert.deepEqual(b[0].metrics, a[0].metrics);
});

test("the accountant's epsilon covers the released model only without a defense stage after DP-SGD", () => {
  const recipe = { dp: { maxGradNorm: 1, delta: 1e-5, targetEpsilon: 8 }, defenses: [] } as unknown as Recipe;
  const history = [{ epoch: 1, lr: 0.1, loss: 1, accuracy: 0.5, seconds: 1, epsilon: 7.9 }];
  const plain = accountedEpsilon({ recipe, metrics: { history } as never });
  assert.equal(plain?.epsilon, 7.9);
  assert.match(plain!.covers, /released model/);
  const staged = accountedEpsilon({ recipe: { ...recipe, defenses: [{ method: 'cwrf' }] } as unknown as Recipe, metrics: { history } as never });
  assert.match(staged!.covers, /training only.*cwrf/);
  assert.equal(accountedEpsilon({ recipe: { ...recipe, dp: undefined }, metrics: { history } as never }), undefined);
});
