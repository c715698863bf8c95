import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson, type Recipe } from '../train/index.ts';
import { recipeKey } from '../runs/cache.ts';
import { decodeOutcome, encodeOutcome, packMembers, unpackMembers } from './reference-task.ts';

test('member halves round-trip bit-packed; a wrong length is refused', () => {
  for (const n of [0, 1, 7, 8, 9, 1000]) {
    const m = Uint8Array.from({ length: n }, (_, i) => (i * 7919) % 3 === 0 ? 1 : 0);
    assert.deepEqual(unpackMembers(packMembers(m), n), m);
  }
  assert.throws(() => unpackMembers(packMembers(new Uint8Array(16)), 17), /do not encode 17 examples/);
});

test('results round-trip as JSON bit for bit (NaN, -0, subnormals)', () => {
  const logits = Float32Array.from([1.5, -0, NaN, 1e-45, -3.4e38, 0.1]);
  const o = JSON.parse(JSON.stringify(encodeOutcome({ logits, classes: 2, trainAccuracy: 0.5, testAccuracy: 0.25, seconds: 1.25, threads: 1, queries: 1 })));
  const back = decodeOutcome(o, 3);
  assert.ok(Buffer.from(back.logits.buffer).equals(Buffer.from(logits.buffer)));
  assert.equal(back.trainAccuracy, 0.5);
  assert.throws(() => decodeOutcome(o, 4), /expected 4 x 1 x 2 float32/);
});

test('the cache key is the one reference and base-model caches used before (caches stay valid)', () => {
  const recipe = { dataset: 'location', seed: 1, defenses: [{ method: 'cwrf', ratio: 0.1 }, { method: 'prune' }] } as unknown as Recipe;
  const members = Uint8Array.from([1, 0, 1, 1]);
  const old = (r: unknown) => createHash('sha256').update(canonicalJson(r)).update(members).digest('hex').slice(0, 32);
  assert.equal(recipeKey(recipe, members), old(recipe)); // the former jobKey
  assert.equal(recipeKey(recipe, members, 0), old({ ...recipe, defenses: [] })); // the former replayKey(r, 0, m)
  assert.equal(recipeKey(recipe, members, 1), old({ ...recipe, defenses: recipe.defenses.slice(0, 1) }));
});
