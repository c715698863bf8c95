import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator } from '../engine/index.ts';
import { buildModel, parameterKinds } from '../nn/index.ts';
import { analysisGroups } from './analyze-groups.ts';

const groupsOf = (arch: string, opts: Record<string, number> = {}) => {
  const m = buildModel({ arch, ...opts }, [3, 8, 8], 10, new Generator(0));
  const g = analysisGroups(m.namedParameters().map(([n, p]) => [n, p.shape] as const), parameterKinds(m));
  m.dispose();
  return g;
};

test('vit-tiny: attention, MLP, head, norm, embedding and bias groups, plus the paper\'s attention+mlp row', () => {
  const g = groupsOf('vit-tiny', { depth: 1, dim: 8, heads: 2, patch: 4 });
  assert.deepEqual([...g.keys()].sort(), ['attention', 'attention+mlp', 'bias', 'embedding', 'linear', 'mlp', 'norm']);
  assert.deepEqual(g.get('linear'), ['head.weight']);
  assert.deepEqual(g.get('mlp'), ['blocks.0.mlp.fc1.weight', 'blocks.0.mlp.fc2.weight']);
  assert.deepEqual(g.get('embedding')!.sort(), ['cls_token', 'patch_embed.proj.weight', 'pos_embed']);
  assert.deepEqual(g.get('attention+mlp')!.sort(), [...g.get('attention')!, ...g.get('mlp')!].sort());
  assert.ok(g.get('bias')!.includes('head.bias') && g.get('bias')!.includes('blocks.0.mlp.fc1.bias'));
  assert.ok(g.get('norm')!.includes('norm.weight') && g.get('norm')!.includes('blocks.0.norm1.bias'));
});

test('resnet20: conv, linear (the head), norm and bias; no combined row without attention', () => {
  const g = groupsOf('resnet20', { width: 0.25 });
  assert.deepEqual([...g.keys()].sort(), ['bias', 'conv', 'linear', 'norm']);
  assert.deepEqual(g.get('linear'), ['linear.weight']);
  assert.deepEqual(g.get('bias'), ['linear.bias']);
  assert.equal(g.get('conv')!.length, 19);
});
