import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BenchRow } from './bench-summary.ts';
import { kendallTau, refCounts, refsCells, refsCost, refsRankings } from './refs-summary.ts';
import { rankingMarkdown, refsDoc } from './refs-doc.ts';

test("Kendall's tau-b matches scipy.stats.kendalltau, ties included", () => {
  // scipy.stats.kendalltau([1,2,3,4,5],[2,1,4,3,5]) = 0.6; with a tie in each: 6/9 (tau-b's denominator)
  assert.equal(kendallTau([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), 0.6);
  assert.ok(Math.abs(kendallTau([1, 2, 2, 4, 5], [2, 1, 4, 4, 5]) - 2 / 3) < 1e-12);
  assert.equal(kendallTau([1, 2, 3], [3, 2, 1]), -1);
  assert.ok(Number.isNaN(kendallTau([1, 1], [2, 3])));
});

const row = (defense: string, seed: number, refs: number, auc: number, tpr: number, cost?: number): BenchRow => ({
  defense,
  seed,
  refs,
  testAccuracy: 0.5,
  trainAccuracy: 0.9,
  relativeCost: 1,
  attacks: { 'lira-online-fixed': { auc, tprAt0_1pct: tpr, tprAt1pct: tpr * 3, intervals: { auc: { low: auc - 0.01, high: auc + 0.01 }, tprAt0_1pct: { low: tpr / 2, high: tpr * 2 } } } },
  ...(cost === undefined ? {} : { secondsPerReference: cost, attackSeconds: 2 }),
});

test('the study follows each defense over the counts and finds the pairs whose order flips', () => {
  const rows = [
    row('none', 0, 8, 0.8, 0.05, 10),
    row('A', 0, 8, 0.6, 0.01),
    row('B', 0, 8, 0.62, 0.02),
    row('none', 0, 16, 0.84, 0.07, 12),
    row('A', 0, 16, 0.66, 0.02),
    row('B', 0, 16, 0.64, 0.03),
    row('none', 1, 8, 0.82, 0.05),
    row('A', 1, 8, 0.6, 0.01),
    row('B', 1, 8, 0.62, 0.02),
    row('none', 1, 16, 0.86, 0.07),
    row('A', 1, 16, 0.66, 0.02),
    row('B', 1, 16, 0.64, 0.03),
  ];
  assert.deepEqual(refCounts(rows), [8, 16]);
  const none8 = refsCells(rows).find((c) => c.defense === 'none' && c.refs === 8 && c.metric === 'auc')!;
  assert.ok(Math.abs(none8.mean - 0.81) < 1e-12 && Math.abs(none8.sd - Math.SQRT2 * 0.01) < 1e-12 && none8.seeds === 2);
  assert.ok(Math.abs(none8.interval!.low - 0.8) < 1e-12);
  const auc = refsRankings(rows).filter((r) => r.metric === 'auc');
  assert.deepEqual(auc.find((r) => r.refs === 8)!.order, ['A', 'B', 'none']);
  assert.deepEqual(auc.find((r) => r.refs === 8)!.flips, [['A', 'B']]);
  assert.ok(Math.abs(auc.find((r) => r.refs === 8)!.tau - 1 / 3) < 1e-12);
  assert.equal(auc.find((r) => r.refs === 16)!.tau, 1);
  // TPR keeps its order at both counts
  assert.ok(refsRankings(rows).filter((r) => r.metric === 'tprAt0_1pct').every((r) => r.tau === 1 && !r.flips.length));
  assert.deepEqual(refsCost(rows), [
    { refs: 8, secondsPerReference: 10, attackSeconds: 2, audits: 6 },
    { refs: 16, secondsPerReference: 12, attackSeconds: 2, audits: 6 },
  ]);
  assert.match(rankingMarkdown(rows), /\| lira-online-fixed \| AUC \| 0\.33 \| 1\.00 \| 8: A < B \|/);
  const md = refsDoc({ dataset: 'd', command: 'cwrf bench --refs 8,16', machine: 'm', minutes: 1, recipe: 'r', complete: false, planned: 16, rows });
  assert.ok(md.startsWith('# Reference-count study: d (partial)'));
  assert.ok(md.includes('| none | 81.0 ± 1.4 [80.0, 82.0] | 85.0 ± 1.4 [84.0, 86.0] |'), md);
});
