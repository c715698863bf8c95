import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator } from '../engine/index.ts';
import { mlp, ResNet18 } from './index.ts';
import { paramType, paramTypes } from './param-types.ts';

test('ResNet-18 parameters: conv kernels, batch norms, the linear head and its bias', () => {
  const rn = new ResNet18(3, 10, new Generator(0));
  const t = paramTypes(rn);
  assert.equal(t.size, rn.namedParameters().length);
  assert.equal(t.get('stem.0.weight'), 'conv');
  assert.equal(t.get('stem.1.weight'), 'norm');
  assert.equal(t.get('layer2.0.shortcut.0.weight'), 'conv');
  assert.equal(t.get('layer2.0.shortcut.1.bias'), 'norm');
  assert.equal(t.get('layer4.1.bn2.weight'), 'norm');
  assert.equal(t.get('fc.weight'), 'linear');
  assert.equal(t.get('fc.bias'), 'bias');
  const counts = new Map<string, number>();
  for (const [n, p] of rn.namedParameters()) counts.set(t.get(n)!, (counts.get(t.get(n)!) ?? 0) + p.numel);
  assert.equal(counts.get('linear'), 5120);
  rn.dispose();
});

test('MLP weights are linear, biases bias', () => {
  const net = mlp([4, 8, 2], 'tanh', new Generator(0));
  assert.deepEqual([...paramTypes(net)], [['0.weight', 'linear'], ['0.bias', 'bias'], ['2.weight', 'linear'], ['2.bias', 'bias']]);
  net.dispose();
});

test('ViT-style names: attention projections, MLP linears, layer norms, patch and position embeddings', () => {
  assert.equal(paramType('Linear', 'blocks.0.attn.qkv', 'weight', [192, 64]), 'attention');
  assert.equal(paramType('Linear', 'blocks.0.attn.proj', 'weight', [64, 64]), 'attention');
  assert.equal(paramType('MultiheadAttention', 'blocks.0.attn', 'in_proj_weight', [192, 64]), 'attention');
  assert.equal(paramType('Linear', 'blocks.0.mlp.fc1', 'weight', [256, 64]), 'linear');
  assert.equal(paramType('LayerNorm', 'blocks.0.norm1', 'weight', [64]), 'norm');
  assert.equal(paramType('Conv2d', 'patch_embed.proj', 'weight', [64, 3, 4, 4]), 'embedding');
  assert.equal(paramType('VisionTransformer', '', 'cls_token', [1, 1, 64]), 'embedding');
  assert.equal(paramType('VisionTransformer', '', 'pos_embed', [1, 65, 64]), 'embedding');
  assert.equal(paramType('Linear', 'head', 'weight', [10, 64]), 'linear');
});
