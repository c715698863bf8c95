import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../engine/index.ts';
import { buildModel, parameterKinds } from '../../nn/index.ts';
import { InputError } from '../../util/errors.ts';
import { criticalMasks, disposeMasks, maskCounts } from './critical.ts';

test('--params by kind: the critical set is drawn only from parameters of those kinds', () => {
  const m = buildModel({ arch: 'vit-tiny', depth: 1, dim: 16, heads: 2 }, [3, 32, 32], 10, new E.Generator(0));
  const kinds = parameterKinds(m);
  const scores = new Map(m.namedParameters().map(([n, p]) => [n, E.keep(E.noGrad(() => p.abs()))]));
  const masks = criticalMasks(scores, { ratio: 0.1, rank: 'global', params: 'attention' }, kinds);
  assert.ok(masks.size > 0);
  for (const n of masks.keys()) assert.equal(kinds.get(n), 'attention', n);
  const attn = m.namedParameters().filter(([n]) => kinds.get(n) === 'attention').reduce((s, [, p]) => s + p.numel, 0);
  assert.equal(maskCounts(masks).total, Math.round(0.1 * attn));
  disposeMasks(masks);
  const both = criticalMasks(scores, { ratio: 0.01, rank: 'global', params: 'embedding,norm' }, kinds);
  assert.deepEqual(new Set([...both.keys()].map((n) => kinds.get(n))), new Set(['embedding', 'norm']));
  disposeMasks(both);
  assert.throws(() => criticalMasks(scores, { ratio: 0.1, rank: 'global', params: 'heads' }, kinds), InputError);
  const rn = buildModel({ arch: 'resnet20' }, [3, 32, 32], 10, new E.Generator(0));
  const rs = new Map(rn.namedParameters().map(([n, p]) => [n, E.keep(E.noGrad(() => p.abs()))]));
  assert.throws(() => criticalMasks(rs, { ratio: 0.1, rank: 'global', params: 'attention' }, parameterKinds(rn)), /no such parameters/);
});
