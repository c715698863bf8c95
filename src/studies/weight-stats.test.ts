import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leastMovedShare, movement, pearson, ranks, spearman, topOverlap, topShare } from './weight-stats.ts';

const f = (xs: number[]) => Float64Array.from(xs);
const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) < tol, `${a} != ${b}`);

test('pearson matches a hand-computed value and is NaN on a constant vector', () => {
  close(pearson(f([1, 2, 3]), f([1, 2, 4])), 3 / Math.sqrt((2 * 42) / 9));
  close(pearson(f([1, 2, 3]), f([3, 2, 1])), -1);
  assert.ok(Number.isNaN(pearson(f([1, 1, 1]), f([1, 2, 3]))));
});

test('ranks average over ties', () => {
  assert.deepEqual([...ranks(f([10, 20, 20, 30, 30, 30]))], [0, 1.5, 1.5, 4, 4, 4]);
  assert.deepEqual([...ranks(f([3, 1, 2]))], [2, 0, 1]);
});

test('spearman with ties uses average ranks (not the no-ties 1 - 6Σd² formula)', () => {
  // ranks [1, 2.5, 2.5, 4] vs [1, 3, 2, 4]: Pearson of ranks = 3/sqrt(10); the no-ties formula would give 0.95.
  close(spearman(f([1, 2, 2, 3]), f([1, 3, 2, 4])), 3 / Math.sqrt(10));
  // ties on both sides: ranks [1, 2.5, 2.5, 5, 5, 5] vs [6, 2.5, 4.5, 4.5, 2.5, 1] -> -10 / sqrt(15 * 16.5).
  close(spearman(f([10, 20, 20, 30, 30, 30]), f([3, 1, 2, 2, 1, 0])), -10 / Math.sqrt(15 * 16.5));
  // invariant to monotone transforms, unlike Pearson.
  const a = f([0.1, 0.5, 0.2, 0.9, 0.3]);
  close(spearman(a, a.map((x) => Math.exp(10 * x))), 1);
  assert.ok(pearson(a, a.map((x) => Math.exp(10 * x))) < 0.99);
});

test('topShare and topOverlap', () => {
  close(topShare(f([1, 4, 2, 3]), 0.25), 0.4);
  close(topShare(f([1, 4, 2, 3]), 0.5), 0.7);
  close(topShare(f([1, 4, 2, 3]), 1e-9), 0.4, 1e-12); // at least one entry
  close(topOverlap(f([4, 3, 2, 1]), f([4, 1, 3, 2]), 0.5), 0.5);
  close(topOverlap(f([4, 3, 2, 1]), f([4, 3, 1, 2]), 0.5), 1);
});

test('movement and leastMovedShare', () => {
  assert.deepEqual([...movement(f([1, -2, 0.5]), f([0.5, 1, 0.5]))], [0.5, 3, 0]);
  const score = f([5, 4, 3, 2, 1, 0, 0, 0, 0, 0]);
  const moved = f([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  close(leastMovedShare(score, moved, 0.2, 0.1), 0.5); // critical {0, 1}, least moved {0}
  close(leastMovedShare(score, moved, 0.2, 0.2), 1);
  close(leastMovedShare(score, moved.map((m) => 9 - m), 0.2, 0.2), 0); // critical weights moved most
  assert.throws(() => leastMovedShare(score, f([1, 2]), 0.1), /lengths differ/);
});
