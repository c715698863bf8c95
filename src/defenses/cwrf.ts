// CWRF (Fang & Kim, ICLR 2026): score weights, rewind the critical ones to their initial values and
// freeze them, fine-tune the rest. Also the baselines run on the same footing: fine-tune-all, prune, rewind-only.
import { Generator, keep, type Tensor } from '../engine/index.ts';
import { buildModel } from '../nn/index.ts';
import { makeOptimizer } from '../optim/index.ts';
import { checkpointedFit, fit, makeObjective, memberRows, type CheckpointSpec, type DataContext, type EpochStats, type ObjectiveSpec, type Recipe, type TrainedModel } from '../train/index.ts';
import { InputError } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';
import { criticalMasks, disposeMasks, maskCounts, type CriticalOptions, type Masks } from './critical.ts';
import { rewind, type RewindTo } from './rewind.ts';
import { computeScores, disposeScores, type PveOptions, type ScoreName, type Scores } from './scores/index.ts';
import { dpHooks } from '../dp/dpsgd.ts';

export type DefenseMethod = 'cwrf' | 'finetune-all' | 'prune' | 'rewind';
export type Scope = 'rest' | 'critical' | 'all';

/** Every option of a weight-level defense stage (stored in the recipe so references replay it). */
export interface CwrfStage extends CriticalOptions {
  method: DefenseMethod;
  score: ScoreName;
  pve: PveOptions;
  rewind: RewindTo;
  scope: Scope;
  epochs: number;
  /** Fine-tuning objective; 'dpsgd' fine-tunes with the recipe's DP settings. */
  objective: ObjectiveSpec | { name: 'dpsgd' };
  /** Fine-tuning learning rate (default: the recipe's initial LR), annealed with cosine. */
  lr?: number;
}

/** Defaults, chosen from the Location measurements in docs/bench-location.md. */
export const CWRF_DEFAULTS: Omit<CwrfStage, 'method' | 'objective'> = {
  score: 'pve',
  ratio: 0.001,
  rank: 'global',
  params: 'weights',
  pve: { start: 'target', anchor: 'target', lambda: 0.5, iters: 20 },
  rewind: 'init',
  scope: 'rest',
  epochs: 10,
};

/** Fills defaults and the method's fixed choices into a user-supplied stage. */
export function cwrfStage(method: DefenseMethod, opts: Partial<CwrfStage>, recipe: Recipe): CwrfStage {
  const s: CwrfStage = {
    ...CWRF_DEFAULTS,
    objective: recipe.objective,
    ...opts,
    pve: { ...CWRF_DEFAULTS.pve, ...(opts.pve ?? {}) },
    method,
  };
  if (method === 'finetune-all') Object.assign(s, { ratio: 0, scope: 'all' });
  if (method === 'prune') Object.assign(s, { score: opts.score ?? 'tfo', rewind: 'zero', epochs: 0 });
  if (method === 'rewind') Object.assign(s, { epochs: 0 });
  if (!Number.isInteger(s.epochs) || s.epochs < 0) throw new InputError(`epochs must be a non-negative integer, got ${s.epochs}`);
  if (!['rest', 'critical', 'all'].includes(s.scope)) throw new InputError(`unknown scope '${s.scope}' (rest, critical, all)`);
  if (!['init', 'zero', 'random-init'].includes(s.rewind)) throw new InputError(`unknown rewind '${s.rewind}' (init, zero, random-init)`);
  if (!['global', 'per-layer'].includes(s.rank)) throw new InputError(`unknown rank '${s.rank}' (global, per-layer)`);
  if (!['weights', 'all'].includes(s.params)) throw new InputError(`unknown params '${s.params}' (weights, all)`);
  if (s.objective.name === 'dpsgd' && !recipe.dp) throw new InputError('fine-tuning with dpsgd needs DP settings (--max-grad-norm, --target-epsilon or --noise-multiplier, --delta)');
  return s;
}

export interface StageContext {
  recipe: Recipe;
  data: DataContext;
  members: Uint8Array;
  trained: TrainedModel;
  onEpoch?: (s: EpochStats) => void;
  /** Checkpoint of the fine-tune (resumed when it matches). */
  checkpoint?: CheckpointSpec;
}

/** Weight scores of a trained model as the stage defines them (PVE by default). */
export function scoreModel(stage: Pick<CwrfStage, 'score' | 'pve'>, ctx: StageContext): Scores {
  const rows = memberRows(ctx.data, ctx.members);
  try {
    return computeScores(
      stage.score,
      {
        model: ctx.trained.model,
        init: ctx.trained.init,
        x: ctx.data.x,
        y: ctx.data.y,
        members: rows,
        reference: ctx.data.reference,
        batchSize: ctx.recipe.batchSize,
        optimizer: ctx.recipe.optimizer,
        seed: Rng.deriveSeed(ctx.recipe.seed, 'scores'),
        rebuild: () => buildModel(ctx.recipe.model, ctx.data.shape, ctx.data.classes, new Generator(0)),
      },
      stage.pve,
    );
  } finally {
    rows.dispose();
  }
}

/** Applies the stage to ctx.trained.model in place; returns the fine-tuning history and what was done. */
export function applyCwrf(stage: CwrfStage, ctx: StageContext): { history: EpochStats[]; info: Record<string, unknown> } {
  const { recipe, data, trained } = ctx;
  const model = trained.model;
  const info: Record<string, unknown> = {};
  let masks: Masks = new Map();
  if (stage.ratio > 0) {
    const scores = scoreModel(stage, ctx);
    masks = criticalMasks(scores, stage);
    disposeScores(scores);
    info.critical = maskCounts(masks).total;
    rewind(model, masks, stage.rewind, trained.init, () =>
      buildModel(recipe.model, data.shape, data.classes, new Generator(Rng.deriveSeed(recipe.seed, 'random-init'))),
    );
  }
  let history: EpochStats[] = [];
  if (stage.epochs > 0) {
    const params = model.namedParameters();
    const lr = stage.lr ?? recipe.optimizer.lr;
    const optimizer = makeOptimizer({ ...recipe.optimizer, lr }, params);
    // scope 'rest': critical frozen; 'critical': only critical trainable; 'all': everything trainable.
    const trainable = new Map<string, Tensor>();
    for (const [n, p] of params) {
      const m = masks.get(n);
      if (stage.scope === 'rest' && m) trainable.set(n, keep(m.neg().add(1)));
      else if (stage.scope === 'critical') trainable.set(n, keep(m ? m.clone() : p.mul(0).detach()));
    }
    for (const [n, m] of trainable) optimizer.setMask(n, m);
    const gen = new Generator(Rng.deriveSeed(recipe.seed, 'finetune'));
    const rows = memberRows(data, ctx.members);
    const dp = stage.objective.name === 'dpsgd' ? recipe.dp! : null;
    // DP-SGD fine-tuning: the fine-tune's own budget over its epochs, with frozen weights masked out.
    const { streams, ...dpLoop } = dp
      ? dpHooks({ ...recipe, epochs: stage.epochs, objective: { name: 'ce' } }, dp, data, ctx.members, { masks: trainable, label: 'finetune' })
      : {};
    try {
      const ck = checkpointedFit(ctx.checkpoint, { model, init: {}, optimizer, streams: { generators: { finetune: gen, ...streams?.generators }, rngs: { ...streams?.rngs } } }, stage.epochs);
      history = fit(model, data.x, data.y, rows, {
        optimizer,
        schedule: { name: 'cosine' },
        baseLr: lr,
        epochs: stage.epochs,
        batchSize: recipe.batchSize,
        objective: makeObjective(stage.objective.name === 'dpsgd' ? { name: 'ce' } : stage.objective),
        gen,
        onEpoch: ctx.onEpoch,
        ...dpLoop,
        ...ck.options,
      });
    } finally {
      rows.dispose();
      optimizer.dispose();
      disposeMasks(trainable);
    }
  }
  disposeMasks(masks);
  return { history, info };
}
