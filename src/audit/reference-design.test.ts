import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultRecipe } from '../train/index.ts';
import { referenceJobs } from './audit.ts';

test('a nested reference design: the 8-reference audit is the first block of the 16 and 64, each balanced', () => {
  const recipe = defaultRecipe('mnist');
  const pop = 101;
  const eight = referenceJobs(recipe, pop, 8, 3);
  for (const refs of [16, 64]) {
    const nested = referenceJobs(recipe, pop, refs, 3, 8);
    assert.deepEqual(nested.inclusion.subarray(0, 8 * pop), eight.inclusion);
    assert.deepEqual(nested.jobs.slice(0, 8).map((j) => j.recipe), eight.jobs.map((j) => j.recipe));
    for (let i = 0; i < pop; i++) {
      let k = 0;
      for (let m = 0; m < refs; m++) k += nested.inclusion[m * pop + i];
      assert.equal(k, refs / 2, `example ${i} is in ${k} of ${refs}`);
    }
    assert.equal(new Set(nested.jobs.map((j) => j.recipe.seed)).size, refs);
  }
  // without a block, the design is one balanced block (the audit's default, unchanged)
  assert.notDeepEqual(referenceJobs(recipe, pop, 16, 3).inclusion.subarray(0, 8 * pop), eight.inclusion);
  assert.throws(() => referenceJobs(recipe, pop, 12, 3, 8), /divides --refs/);
});
