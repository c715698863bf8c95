import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator } from '../../engine/index.ts';
import { buildModel } from '../../nn/index.ts';
import { defaultRecipe, loadData, memberRows, trainModel, type Recipe } from '../../train/index.ts';
import { memberMask } from '../../data/index.ts';
import { applyCwrf, criticalMasks, cwrfStage, maskCounts, pveScores, rewind, scoreModel, tfoScores } from '../index.ts';

const recipe: Recipe = { ...defaultRecipe('synthetic'), model: { arch: 'mlp', hidden: [32, 16], activation: 'tanh' }, epochs: 2 };

async function setup() {
  const data = await loadData(recipe);
  const members = memberMask(data.split.population.length, 1);
  const trained = trainModel(recipe, data, members);
  return { data, members, trained, ctx: { recipe, data, members, trained } };
}

const state = (m: { stateDict(): Record<string, { data: ArrayLike<number | bigint> }> }) =>
  Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, Array.from(v.data as ArrayLike<number>)]));

test('critical masks hold exactly round(ratio * n) weights, globally and per layer', async () => {
  const { ctx, trained } = await setup();
  const scores = scoreModel({ score: 'magnitude', pve: cwrfStage('cwrf', {}, recipe).pve }, ctx);
  const weights = trained.model.namedParameters().filter(([, p]) => p.shape.length >= 2);
  const n = weights.reduce((s, [, p]) => s + p.numel, 0);
  for (const ratio of [0.001, 0.01, 0.03]) {
    assert.equal(maskCounts(criticalMasks(scores, { ratio, rank: 'global', params: 'weights' })).total, Math.round(ratio * n));
    const per = maskCounts(criticalMasks(scores, { ratio, rank: 'per-layer', params: 'weights' })).perParam;
    for (const [name, p] of weights) assert.equal(per[name], Math.round(ratio * p.numel));
  }
  const all = criticalMasks(scores, { ratio: 0.01, rank: 'global', params: 'all' });
  assert.equal(all.size, trained.model.namedParameters().length);
});

test('CWRF (scope rest): rewound weights are bit-identical to their initial values after fine-tuning', async () => {
  const { ctx, trained } = await setup();
  const before = state(trained.model);
  const stage = cwrfStage('cwrf', { score: 'tfo', ratio: 0.05, epochs: 2 }, recipe);
  const scores = scoreModel(stage, ctx);
  const masks = criticalMasks(scores, stage);
  const crit = Object.fromEntries([...masks].map(([k, m]) => [k, Array.from(m.toFloat32())]));
  applyCwrf(stage, ctx);
  const after = state(trained.model);
  let frozen = 0;
  let moved = 0;
  for (const [name, mask] of Object.entries(crit)) {
    const init = Array.from(trained.init[name].data as Float32Array);
    mask.forEach((m, i) => {
      if (m) {
        assert.equal(after[name][i], init[i], `${name}[${i}] is not at its initial value`);
        frozen++;
      } else if (after[name][i] !== before[name][i]) moved++;
    });
  }
  assert.ok(frozen > 0 && moved > 0, `frozen ${frozen}, moved ${moved}`);
});

test('scope critical changes only critical weights; scope rest never changes a critical weight', async () => {
  const { ctx, trained } = await setup();
  const stage = cwrfStage('cwrf', { score: 'magnitude', ratio: 0.05, epochs: 1, scope: 'critical', rewind: 'init' }, recipe);
  const masks = criticalMasks(scoreModel(stage, ctx), stage);
  const crit = Object.fromEntries([...masks].map(([k, m]) => [k, Array.from(m.toFloat32())]));
  const m0 = state(trained.model);
  applyCwrf(stage, ctx);
  const m1 = state(trained.model);
  for (const [name, mask] of Object.entries(crit))
    mask.forEach((m, i) => {
      if (!m) assert.equal(m1[name][i], m0[name][i], `${name}[${i}] (not critical) changed`);
    });
  // biases are outside 'weights': with scope critical they are frozen too
  for (const [name] of trained.model.namedParameters()) if (!(name in crit)) assert.deepEqual(m1[name], m0[name]);
});

test('PVE with lambda = 0 and T = 1 equals TFO on that batch', async () => {
  const { data, members, trained } = await setup();
  const rows = memberRows(data, members);
  const input = {
    model: trained.model,
    init: trained.init,
    x: data.x,
    y: data.y,
    members: rows,
    reference: data.reference,
    batchSize: 64,
    optimizer: recipe.optimizer,
    seed: 11,
    rebuild: () => {
      const { model } = trainModel({ ...recipe, epochs: 0 }, data, members);
      return model;
    },
  };
  const pve = pveScores(input, { start: 'target', anchor: 'target', lambda: 0, iters: 1 });
  const tfo = tfoScores(input, 1);
  for (const [name, t] of tfo) {
    const a = t.toFloat32();
    const b = pve.get(name)!.toFloat32();
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 1e-6 * Math.max(1, Math.abs(v)), `${name}[${i}]: tfo ${v} pve ${b[i]}`));
  }
  // the copy's learning rate: its own option; a rate that makes the copy diverge is a clear error, not NaN scores
  const sum = (sc: Map<string, { toFloat32(): Float32Array }>) =>
    [...sc.values()].reduce((a, t) => a + t.toFloat32().reduce((x, y) => x + y, 0), 0);
  const at = (lr?: number) => sum(pveScores(input, { start: 'target', anchor: 'target', lambda: 0.5, iters: 3, lr }));
  assert.ok(Number.isFinite(at(1e-4)) && at(1e-4) !== at(1e-2), '--pve-lr changes the scores');
  assert.throws(
    () => pveScores(input, { start: 'target', anchor: 'target', lambda: 0.5, iters: 20, lr: Infinity }),
    /PVE diverged at update \d+ of 20 .*--pve-lr/,
  );
  rows.dispose();
});

test('rewinding with ratio 0 is a no-op', async () => {
  const { ctx, trained } = await setup();
  const before = state(trained.model);
  const stage = cwrfStage('rewind', { score: 'tfo', ratio: 0 }, recipe);
  applyCwrf(stage, ctx);
  assert.deepEqual(state(trained.model), before);
  const masks = criticalMasks(scoreModel(stage, ctx), { ...stage, ratio: 0 });
  rewind(trained.model, masks, 'init', trained.init, () => trained.model);
  assert.deepEqual(state(trained.model), before);
});

test('an interrupted CWRF fine-tune resumes from its checkpoint bit-identically', async () => {
  const { data, members, trained } = await setup();
  const dir = mkdtempSync(join(tmpdir(), 'cwrf-stage-ckpt-'));
  try {
    const stage = cwrfStage('cwrf', { score: 'magnitude', ratio: 0.05, epochs: 4 }, recipe);
    const copy = () => {
      const m = buildModel(recipe.model, data.shape, data.classes, new Generator(0));
      m.loadStateDict(trained.model.stateDict());
      return { model: m, init: trained.init, history: [] };
    };
    const ctx = (t: ReturnType<typeof copy>) => ({ recipe, data, members, trained: t });
    const straight = copy();
    const h0 = applyCwrf(stage, ctx(straight)).history;
    const checkpoint = { file: join(dir, 'stage'), key: 'k', everySeconds: 0 };
    assert.throws(
      () =>
        applyCwrf(stage, {
          ...ctx(copy()),
          checkpoint,
          onEpoch: (s) => {
            if (s.epoch === 2) throw new RangeError('killed');
          },
        }),
      RangeError,
    );
    const seen: number[] = [];
    const resumed = copy();
    const h1 = applyCwrf(stage, { ...ctx(resumed), checkpoint, onEpoch: (s) => seen.push(s.epoch) }).history;
    assert.deepEqual(seen, [2, 3]);
    assert.deepEqual(state(resumed.model), state(straight.model));
    assert.deepEqual(
      h1.map((s) => s.loss),
      h0.map((s) => s.loss),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
