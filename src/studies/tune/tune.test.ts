import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goalValue, parseGoal } from './goal.ts';
import { paretoFront } from '../../report/pareto.ts';
import { choose, halvingSchedule, rank, scheduleCost } from './select.ts';
import { InputError } from '../../util/errors.ts';

test('goals: attack aliases and registry names, AUC or TPR at an FPR, percentages or fractions; bad ones in one line', () => {
  assert.deepEqual(parseGoal('lira:tpr@0.1%<=0.5%'), { attack: 'lira-online-fixed', metric: { kind: 'tpr', fpr: 0.001 }, max: 0.005 });
  assert.deepEqual(parseGoal('rmia-offline:auc<=0.6'), { attack: 'rmia-offline', metric: { kind: 'auc' }, max: 0.6 });
  const bad = (g: string, re: RegExp) => assert.throws(() => parseGoal(g), (e: Error) => e instanceof InputError && re.test(e.message) && !e.message.includes('\n'));
  bad('lira:tpr@0.1%', /ATTACK:METRIC<=VALUE/);
  bad('nope:auc<=0.6', /unknown attack 'nope'/);
  bad('lira:acc<=0.6', /unknown metric 'acc'/);
  bad('lira:tpr@0%<=0.5%', /strictly between/);
  bad('lira:auc<=0.4', /not a privacy goal/);
  bad('lira:auc<=150%', /between 0 and 1/);
  const curve = { fpr: Float64Array.from([0, 0.001, 0.5, 1]), tpr: Float64Array.from([0, 0.02, 0.8, 1]) };
  assert.equal(goalValue(parseGoal('lira:tpr@0.1%<=1%'), curve), 0.02);
});

test('selection: the Pareto front, budget first then the lowest metric, and the choice', () => {
  const xs = [
    { id: 'a', accuracy: 0.8, metric: 0.05 },
    { id: 'b', accuracy: 0.78, metric: 0.02 },
    { id: 'c', accuracy: 0.7, metric: 0.01 },
    { id: 'd', accuracy: 0.77, metric: 0.03 }, // dominated by b
  ];
  assert.deepEqual(paretoFront(xs).map((x) => x.id), ['a', 'b', 'c']);
  assert.deepEqual(rank(xs, 0.75).map((x) => x.id), ['b', 'd', 'a', 'c']);
  assert.deepEqual(choose(xs, 0.75, 0.01), { chosen: xs[1], meetsGoal: false });
  assert.deepEqual(choose(xs, 0.75, 0.02), { chosen: xs[1], meetsGoal: true });
  assert.deepEqual(choose(xs, 0.9), { chosen: null, meetsGoal: false });
});

test('successive halving: candidates halve, references double (even), up to the cap; its cost with nested references', () => {
  assert.deepEqual(halvingSchedule(16, 2, 16), [
    { candidates: 16, refs: 2 },
    { candidates: 8, refs: 4 },
    { candidates: 4, refs: 8 },
    { candidates: 2, refs: 16 },
  ]);
  assert.deepEqual(halvingSchedule(9, 4, 8, 3), [
    { candidates: 9, refs: 4 },
    { candidates: 3, refs: 8 },
  ]);
  assert.equal(scheduleCost(halvingSchedule(16, 2, 16), true), 16 + 16 * 2 + 8 * 2 + 4 * 4 + 2 * 8);
  assert.equal(scheduleCost(halvingSchedule(16, 2, 16), false), 16 + 16 * 2 + 8 * 4 + 4 * 8 + 2 * 16);
});
