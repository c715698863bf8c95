import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../../engine/index.ts';
import { buildModel, Conv2d, Flatten, GroupNorm, Linear, MaxPool2d, Module, Sequential, smallCnn } from '../../../nn/index.ts';
import { InputError } from '../../../util/errors.ts';
import { BATCHNORM_MESSAGE, PER_SAMPLE_RULES, ruleFor, unsupportedLayers, validate } from './index.ts';

class Scale extends Module {
  readonly s = this.param('scale', E.ones([1]));
  forward(t: E.Tensor): E.Tensor {
    return t.mul(this.s);
  }
}

test('validate(model) lists every unsupported layer at once (and BatchNorm once)', () => {
  const g = new E.Generator(0);
  const net = new Sequential(new Conv2d(3, 2, 3, g), new Scale(), new MaxPool2d(2), new Flatten(), new Scale(), new Linear(18, 5, g));
  assert.deepEqual(unsupportedLayers(net), ["'1' (Scale)", "'4' (Scale)"]);
  assert.throws(
    () => validate(net),
    (e: unknown) =>
      e instanceof InputError &&
      /layers '1' \(Scale\), '4' \(Scale\): supported layers with parameters are Linear, Conv2d, GroupNorm, LayerNorm, VisionTransformer$/.test(e.message),
  );
  const bn = smallCnn([3, 8, 8], 5, g, 'batch');
  assert.deepEqual(unsupportedLayers(bn), [BATCHNORM_MESSAGE]);
  assert.doesNotThrow(() => validate(smallCnn([3, 8, 8], 5, g, 'group')));
  net.dispose();
  bn.dispose();
});

test('a layer with a rule but an own parameter the rule does not cover is listed with that parameter', () => {
  class LinearPlus extends Linear {
    readonly extra = this.param('extra', E.ones([1]));
  }
  const net = new Sequential(new LinearPlus(3, 2, new E.Generator(0)));
  assert.deepEqual(unsupportedLayers(net), ["'0' (LinearPlus: parameter extra)"]);
  net.dispose();
});

test('vit-tiny is accepted by DP-SGD (class token and position embedding have a rule)', () => {
  const vit = buildModel({ arch: 'vit-tiny', depth: 1, dim: 16, heads: 2, patch: 8 }, [3, 32, 32], 10, new E.Generator(0));
  assert.deepEqual(unsupportedLayers(vit), []);
  assert.equal(ruleFor(vit)?.name, 'VisionTransformer');
  vit.dispose();
});

test('rules are found by layer class and registered once', () => {
  const g = new E.Generator(0);
  assert.equal(ruleFor(new Linear(2, 2, g))?.name, 'Linear');
  assert.equal(ruleFor(new GroupNorm(1, 2))?.name, 'GroupNorm');
  assert.equal(ruleFor(new Scale()), undefined);
  assert.throws(() => PER_SAMPLE_RULES.add(PER_SAMPLE_RULES.get('Conv2d')), /registered twice/);
});
