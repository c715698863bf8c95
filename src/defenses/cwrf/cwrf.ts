// CWRF (Fang & Kim, ICLR 2026): score weights, rewind the critical ones to their initial values and
// freeze them, fine-tune the rest. The weight-level baselines (src/defenses/methods/) apply it with fixed choices.
import { Generator, keep, type Tensor } from '../../engine/index.ts';
import { buildModel, parameterKinds } from '../../nn/index.ts';
import { makeOptimizer } from '../../optim/index.ts';
import {
  augmentHooks,
  checkpointedFit,
  fit,
  makeObjective,
  memberRows,
  type DefenseStage,
  type DpSpec,
  type EpochStats,
  type ObjectiveSpec,
} from '../../train/index.ts';
import { checkChoice, checkNumber, checkString, isRecord } from '../../util/check.ts';
import { InputError } from '../../util/errors.ts';
import type { OptionTable } from '../../util/options.ts';
import { Rng } from '../../util/rng.ts';
import { checkParamsSelection, criticalMasks, disposeMasks, maskCounts, RANKS, type CriticalOptions, type Masks } from './critical.ts';
import { rewind, REWINDS, type RewindTo } from './rewind.ts';
import { computeScores, disposeScores, readPve, SCORES, type PveOptions, type ScoreName, type Scores } from './scores/index.ts';
import { readDpSpec } from '../dpsgd/index.ts';
import { dpHooks } from '../dpsgd/dpsgd.ts';
import type { StageContext } from '../methods/types.ts';

export type { StageContext } from '../methods/types.ts';

/** A defense method's registered name (src/defenses/methods/index.ts). */
export type DefenseMethod = string;
/** Weights the fine-tune trains: all but the critical ones, only them, or every weight. */
export const SCOPES = ['rest', 'critical', 'all'] as const;
export type Scope = (typeof SCOPES)[number];

interface CwrfStageFields extends CriticalOptions {
  method: DefenseMethod;
  score: ScoreName;
  pve: PveOptions;
  rewind: RewindTo;
  scope: Scope;
  epochs: number;
  /** Fine-tuning objective. */
  objective: ObjectiveSpec;
  /** DP-SGD settings of the fine-tune (absent: an ordinary fine-tune); the encoding recipes use too. */
  dp?: DpSpec;
  /** Fine-tuning learning rate (default: the recipe's initial LR), annealed with cosine. */
  lr?: number;
}

/**
 * Every option of a weight-level defense stage (stored in the recipe so references replay it). A mapped type,
 * not an interface: a CwrfStage is a recipe's DefenseStage as it is, no conversion.
 */
export type CwrfStage = { [K in keyof CwrfStageFields]: CwrfStageFields[K] };

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

/** Options of weight-level stages, as flags (the score's own options come from the score registry). */
export const STAGE_OPTIONS = {
  score: {
    type: 'choice',
    choices: () => SCORES.names(),
    default: CWRF_DEFAULTS.score,
    description: 'weight score ranking the critical weights',
  },
  ratio: {
    type: 'number',
    min: 0,
    max: 1,
    default: CWRF_DEFAULTS.ratio,
    description: 'fraction of the ranked weights that is critical (exactly round(ratio * n))',
  },
  rank: {
    type: 'choice',
    choices: RANKS,
    default: CWRF_DEFAULTS.rank,
    description: 'rank all weights together or each layer apart',
  },
  params: {
    type: 'string',
    value: 'weights|all|KINDS',
    default: CWRF_DEFAULTS.params,
    description: 'rank weight matrices only, biases and norms too, or parameters of these kinds (conv,linear,norm,attention,embedding)',
  },
  rewind: {
    type: 'choice',
    choices: REWINDS,
    default: CWRF_DEFAULTS.rewind,
    description: 'what critical weights are set to',
  },
  scope: {
    type: 'choice',
    choices: SCOPES,
    default: CWRF_DEFAULTS.scope,
    description: 'weights the fine-tune trains (rest: all but the critical ones)',
  },
  epochs: { type: 'int', min: 0, defaultText: `${CWRF_DEFAULTS.epochs} (image ResNets/WRN: a fifth of the training epochs)`, description: 'fine-tuning epochs' },
  lr: { type: 'number', min: 0, defaultText: "the recipe's initial rate", description: 'fine-tuning learning rate (cosine-annealed)' },
} satisfies OptionTable;

/** A recorded objective spec: an object with a name (its options as recorded). */
export function readObjectiveSpec(v: unknown, what = 'objective'): ObjectiveSpec {
  if (!isRecord(v) || typeof v.name !== 'string') throw new InputError(`${what} must be {name, ...options}, got ${JSON.stringify(v)}`);
  return { ...v, name: v.name };
}

/**
 * A recorded weight-level stage, every field checked against the range its flag declares (STAGE_OPTIONS,
 * PVE_OPTIONS: the one place a stage's ranges are written), as a CwrfStage. cwrfStage() checks every stage it
 * makes with it; replays check the recorded ones.
 */
export function readCwrfStage(s: DefenseStage): CwrfStage {
  const o = STAGE_OPTIONS;
  const params = checkString(s.params, 'params');
  checkParamsSelection(params);
  return {
    method: s.method,
    score: checkChoice(s.score, 'score', SCORES.names()),
    ratio: checkNumber(s.ratio, 'ratio', { min: o.ratio.min, max: o.ratio.max }),
    rank: checkChoice(s.rank, 'rank', RANKS),
    params,
    pve: readPve(s.pve),
    rewind: checkChoice(s.rewind, 'rewind', REWINDS),
    scope: checkChoice(s.scope, 'scope', SCOPES),
    epochs: checkNumber(s.epochs, 'epochs', { int: true, min: o.epochs.min }),
    objective: readObjectiveSpec(s.objective, 'the fine-tuning objective'),
    ...(s.dp !== undefined ? { dp: readDpSpec(s.dp) } : {}),
    ...(s.lr !== undefined ? { lr: checkNumber(s.lr, 'fine-tuning lr', { min: o.lr.min }) } : {}),
  };
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
    masks = criticalMasks(scores, stage, parameterKinds(model));
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
    // DP-SGD fine-tuning: the fine-tune's own budget over its epochs, with frozen weights masked out.
    const { streams, ...dpLoop } = stage.dp
      ? dpHooks({ ...recipe, epochs: stage.epochs, objective: stage.objective }, stage.dp, data, ctx.members, {
          masks: trainable,
          label: 'finetune',
        })
      : {};
    const aug = augmentHooks(recipe, data.shape, 'finetune-augment');
    try {
      const ck = checkpointedFit(
        ctx.checkpoint,
        { model, init: {}, optimizer, streams: { generators: { finetune: gen, ...aug.generators, ...streams?.generators }, rngs: { ...streams?.rngs } } },
        stage.epochs,
      );
      history = fit(model, data.x, data.y, rows, {
        optimizer,
        schedule: { name: 'cosine' },
        baseLr: lr,
        epochs: stage.epochs,
        batchSize: recipe.batchSize,
        objective: makeObjective(stage.objective),
        gen,
        ...(aug.transform ? { transform: aug.transform } : {}),
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
