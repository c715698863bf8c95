import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../engine/index.ts';
import { buildModel, parameterKinds, withDefaultDtype, type ModelSpec, type Module } from '../index.ts';
import { InputError } from '../../util/errors.ts';

test('CIFAR ResNets, WRN-16-4 and vit-tiny: torch parameter counts and names, [N, classes] outputs', () => {
  const cases: [ModelSpec, number, string[]][] = [
    [{ arch: 'resnet20' }, 269722, ['conv1.weight', 'bn1.weight', 'layer1.0.conv1.weight', 'layer3.2.bn2.bias', 'linear.weight']],
    [{ arch: 'resnet32' }, 464154, ['layer3.4.conv2.weight']],
    [{ arch: 'resnet56' }, 853018, ['layer2.8.conv1.weight']],
    [{ arch: 'resnet20', width: 2 }, 1073962, ['layer1.0.conv1.weight']],
    [{ arch: 'wrn16-4' }, 2748890, ['block1.layer.0.bn1.weight', 'block2.layer.0.convShortcut.weight', 'bn1.weight', 'fc.weight']],
    [{ arch: 'vit-tiny' }, 2693578, ['cls_token', 'pos_embed', 'patch_embed.proj.weight', 'blocks.5.attn.qkv.weight', 'blocks.0.mlp.fc2.bias', 'norm.weight', 'head.weight']],
  ];
  for (const [spec, count, names] of cases) {
    const m = buildModel(spec, [3, 32, 32], 10, new E.Generator(0));
    assert.equal(m.numParameters(), count, `${spec.arch} parameters`);
    const have = new Set(m.namedParameters().map(([n]) => n));
    for (const n of names) assert.ok(have.has(n), `${spec.arch} has ${n}`);
    assert.deepEqual(E.tidy(() => E.noGrad(() => m.eval().forward(E.zeros([2, 3, 32, 32])).shape)), [2, 10]);
    m.dispose();
  }
});

test('parameters carry a kind: conv, linear, norm, attention, embedding', () => {
  const vit = buildModel({ arch: 'vit-tiny', depth: 1, dim: 16, heads: 2 }, [3, 32, 32], 10, new E.Generator(0));
  const k = parameterKinds(vit);
  assert.equal(k.get('cls_token'), 'embedding');
  assert.equal(k.get('pos_embed'), 'embedding');
  assert.equal(k.get('patch_embed.proj.weight'), 'embedding');
  assert.equal(k.get('blocks.0.attn.qkv.weight'), 'attention');
  assert.equal(k.get('blocks.0.attn.proj.bias'), 'attention');
  assert.equal(k.get('blocks.0.mlp.fc1.weight'), 'linear');
  assert.equal(k.get('blocks.0.norm1.weight'), 'norm');
  assert.equal(k.get('head.weight'), 'linear');
  assert.equal(k.size, vit.namedParameters().length);
  const rn = buildModel({ arch: 'resnet20' }, [3, 32, 32], 10, new E.Generator(0));
  const kr = parameterKinds(rn);
  assert.equal(kr.get('layer2.0.conv1.weight'), 'conv');
  assert.equal(kr.get('layer2.0.bn1.bias'), 'norm');
  assert.equal(kr.get('linear.weight'), 'linear');
});

test('PyTorch default init: conv/linear weights within 1/sqrt(fan_in), norms at 1/0', () => {
  const m = buildModel({ arch: 'resnet20' }, [3, 32, 32], 10, new E.Generator(1));
  const p = new Map(m.namedParameters());
  const w = p.get('layer1.0.conv1.weight')!.toFloat32();
  const bound = 1 / Math.sqrt(16 * 9);
  assert.ok(w.every((v) => Math.abs(v) <= bound) && Math.max(...w) > 0.9 * bound);
  assert.ok(p.get('bn1.weight')!.toFloat32().every((v) => v === 1));
  assert.ok(p.get('bn1.bias')!.toFloat32().every((v) => v === 0));
});

/** Central differences of sum(model(x) * r) against autograd on a few entries of every parameter, in float64. */
function gradcheck(m: Module, x: E.Tensor, entries = 3): number {
  const r = E.keep(E.randn([x.shape[0], 3], new E.Generator(9), 0, 1, 'float64'));
  const loss = () => m.forward(x).mul(r).sum();
  E.tidy(() => loss().backward());
  let worst = 0;
  const gen = new E.Generator(4);
  for (const [name, p] of m.namedParameters()) {
    const g = p.grad!.toFloat64();
    const picks = E.tidy(() => Array.from(E.randint(0, p.numel, [entries], gen).toFloat64()));
    for (const i of picks) {
      const at = (d: number) =>
        E.noGrad(() =>
          E.tidy(() => {
            const flat = p.view([-1]);
            const one = E.zeros([p.numel], 'float64');
            one.narrow(0, i, 1).fill_(d);
            flat.add_(one);
            const v = loss().item();
            flat.add_(one, -1);
            return v;
          }),
        );
      const h = 1e-6;
      const fd = (at(h) - at(-h)) / (2 * h);
      const err = Math.abs(fd - g[i]) / Math.max(1, Math.abs(fd));
      assert.ok(err < 1e-5, `${name}[${i}]: autograd ${g[i]}, finite differences ${fd}`);
      worst = Math.max(worst, err);
    }
    p.grad!.zero_();
  }
  r.dispose();
  return worst;
}

test('float64 gradient checks: resnet20 (BatchNorm and GroupNorm), wrn16-4, vit-tiny', () => {
  const specs: ModelSpec[] = [
    { arch: 'resnet20', width: 0.25 },
    { arch: 'resnet20', width: 0.25, norm: 'group' },
    { arch: 'wrn16-4' },
    { arch: 'vit-tiny', depth: 2, dim: 16, heads: 2, patch: 4 },
  ];
  for (const spec of specs) {
    withDefaultDtype('float64', () => {
      const m = buildModel(spec, [3, 8, 8], 3, new E.Generator(2));
      const x = E.keep(E.randn([2, 3, 8, 8], new E.Generator(3), 0, 1, 'float64'));
      gradcheck(m, x, spec.arch === 'wrn16-4' ? 1 : 2);
      x.dispose();
      m.dispose();
    });
  }
});

test('a model that does not fit the input shape is an input error', () => {
  assert.throws(() => buildModel({ arch: 'resnet20' }, [446], 10, new E.Generator(0)), InputError);
  assert.throws(() => buildModel({ arch: 'vit-tiny', patch: 5 }, [3, 32, 32], 10, new E.Generator(0)), /do not split into 5x5 patches/);
  assert.throws(() => buildModel({ arch: 'vit-tiny', dim: 10, heads: 3 }, [3, 32, 32], 10, new E.Generator(0)), /not divisible/);
  assert.throws(() => buildModel({ arch: 'wrn16-4' }, [3, 2, 2], 10, new E.Generator(0)), InputError);
  assert.throws(() => buildModel({ arch: 'resnet20', width: 0.01 }, [3, 32, 32], 10, new E.Generator(0)), /--width/);
});
