// Flags that describe a training recipe, shared by `train`, `defend --method retrain` and `bench`.
import { defaultRecipe, relaxLossDefaults, type ObjectiveSpec, type Recipe } from '../train/index.ts';
import type { ModelSpec } from '../nn/index.ts';
import { ONNX_PREFIX, onnxModelSpec } from '../nn/onnx/spec.ts';
import type { OptimizerSpec, ScheduleSpec } from '../optim/index.ts';
import { InputError } from '../util/errors.ts';
import { listFlag, numberFlag, stringFlag, type Options, type Values } from './command.ts';

export const RECIPE_FLAGS: Options = {
  dataset: { type: 'string', short: 'd' },
  model: { type: 'string' },
  init: { type: 'string' },
  'init-from': { type: 'string' },
  hidden: { type: 'string' },
  activation: { type: 'string' },
  norm: { type: 'string' },
  epochs: { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  momentum: { type: 'string' },
  nesterov: { type: 'boolean' },
  'weight-decay': { type: 'string' },
  schedule: { type: 'string' },
  'step-size': { type: 'string' },
  gamma: { type: 'string' },
  'batch-size': { type: 'string' },
  seed: { type: 'string' },
  'member-seed': { type: 'string' },
  'split-seed': { type: 'string' },
  population: { type: 'string' },
  'reference-fraction': { type: 'string' },
  'test-size': { type: 'string' },
  ...OBJECTIVE_FLAGS(),
};

/** Flags of a training objective (also used by `defend` for the fine-tuning objective). */
export function OBJECTIVE_FLAGS(): Options {
  return {
    objective: { type: 'string' },
    smoothing: { type: 'string' },
    alpha: { type: 'string' },
    upper: { type: 'string' },
    'max-grad-norm': { type: 'string' },
    'noise-multiplier': { type: 'string' },
    'target-epsilon': { type: 'string' },
    delta: { type: 'string' },
  };
}

/** The objective named by --objective (with its parameters); 'dpsgd' means CE under DP-SGD. */
export function objectiveFromFlags(v: Values, dataset: string, def: ObjectiveSpec): ObjectiveSpec | { name: 'dpsgd' } {
  const name = stringFlag(v, 'objective', def.name as string, ['ce', 'label-smoothing', 'relaxloss', 'dpsgd']);
  if (name === 'label-smoothing') return { name, smoothing: numberFlag(v, 'smoothing', 0.1, { min: 0, max: 1 }) };
  if (name === 'relaxloss') {
    const d = relaxLossDefaults(dataset);
    return { name, alpha: numberFlag(v, 'alpha', d.alpha, { min: 0 }), upper: numberFlag(v, 'upper', d.upper, { min: 0, max: 1 }) };
  }
  if (name === 'dpsgd') return { name: 'dpsgd' };
  return name === def.name ? def : { name: 'ce' };
}

/** DP settings from flags, or undefined when none is given. */
export function dpFromFlags(v: Values, required: boolean): Recipe['dp'] {
  const any = ['max-grad-norm', 'noise-multiplier', 'target-epsilon'].some((k) => v[k] !== undefined);
  if (!any && !required) return undefined;
  const dp = {
    maxGradNorm: numberFlag(v, 'max-grad-norm', 1, { min: 0 }),
    noiseMultiplier: v['noise-multiplier'] !== undefined ? numberFlag(v, 'noise-multiplier', 1, { min: 0 }) : undefined,
    targetEpsilon: v['target-epsilon'] !== undefined ? numberFlag(v, 'target-epsilon', 8, { min: 0 }) : undefined,
    delta: numberFlag(v, 'delta', 1e-5, { min: 0, max: 1 }),
  };
  if (dp.noiseMultiplier === undefined && dp.targetEpsilon === undefined) dp.targetEpsilon = 8;
  return dp;
}

/** A complete recipe: the dataset's defaults overridden by the flags given. */
export function recipeFromFlags(v: Values): Recipe {
  const dataset = stringFlag(v, 'dataset', 'mnist');
  const d = defaultRecipe(dataset);
  const onnx = typeof v.model === 'string' && v.model.startsWith(ONNX_PREFIX);
  if (!onnx && (v.init !== undefined || v['init-from'] !== undefined)) throw new InputError('--init and --init-from apply to --model onnx:PATH');
  const arch = onnx ? 'onnx' : stringFlag(v, 'model', d.model.arch, ['mlp', 'smallcnn', 'resnet18'] as const);
  const model: ModelSpec = onnx
    ? onnxModelSpec(v.model as string, { init: stringFlag(v, 'init', 'reset', ['reset', 'graph'] as const), initFrom: v['init-from'] as string | undefined })
    : arch === d.model.arch
      ? { ...d.model }
      : { arch };
  if (onnx && ['hidden', 'activation', 'norm'].some((k) => v[k] !== undefined)) throw new InputError('--hidden, --activation and --norm do not apply to an ONNX model');
  if (v.hidden !== undefined) model.hidden = listFlag(v, 'hidden');
  if (v.activation !== undefined) model.activation = stringFlag(v, 'activation', 'tanh', ['relu', 'tanh', 'gelu', 'sigmoid'] as const);
  if (v.norm !== undefined) model.norm = stringFlag(v, 'norm', 'batch', ['batch', 'group', 'none'] as const);
  const optName = stringFlag(v, 'optimizer', d.optimizer.name, ['sgd', 'adam', 'adamw'] as const);
  const lr = numberFlag(v, 'lr', optName === 'sgd' && d.optimizer.name !== 'sgd' ? 0.1 : d.optimizer.lr, { min: 0 });
  const wd = numberFlag(v, 'weight-decay', 0, { min: 0 });
  const optimizer: OptimizerSpec =
    optName === 'sgd'
      ? { name: 'sgd', lr, momentum: numberFlag(v, 'momentum', 0.9, { min: 0, max: 1 }), nesterov: Boolean(v.nesterov), weightDecay: wd }
      : { name: optName, lr, weightDecay: wd };
  const sched = stringFlag(v, 'schedule', d.schedule.name, ['constant', 'step', 'cosine'] as const);
  const schedule: ScheduleSpec =
    sched === 'step'
      ? { name: 'step', stepSize: numberFlag(v, 'step-size', 10, { int: true, min: 1 }), gamma: numberFlag(v, 'gamma', 0.1, { min: 0 }) }
      : { name: sched };
  const seed = numberFlag(v, 'seed', 0, { int: true, min: 0 });
  const objective = objectiveFromFlags(v, dataset, d.objective);
  const dp = dpFromFlags(v, objective.name === 'dpsgd');
  if (objective.name === 'dpsgd' && model.arch !== 'mlp' && model.arch !== 'onnx' && (model.norm ?? (arch === 'resnet18' ? 'batch' : 'none')) === 'batch')
    throw new InputError('DP-SGD cannot train BatchNorm layers (batch statistics mix examples): use --norm group');
  const population = v.population !== undefined ? numberFlag(v, 'population', 0, { int: true, min: 2 }) : undefined;
  const testSize = v['test-size'] !== undefined ? numberFlag(v, 'test-size', 0, { int: true, min: 1 }) : undefined;
  return {
    dataset,
    split: {
      seed: numberFlag(v, 'split-seed', 0, { int: true, min: 0 }),
      referenceFraction: numberFlag(v, 'reference-fraction', d.split.referenceFraction ?? 0.1, { min: 0, max: 0.9 }),
      ...(population ? { populationSize: population } : {}),
      ...(testSize ? { testSize } : {}),
    },
    model,
    optimizer,
    schedule,
    objective: objective.name === 'dpsgd' ? { name: 'ce' } : objective,
    ...(dp ? { dp } : {}),
    epochs: numberFlag(v, 'epochs', d.epochs, { int: true, min: 0 }),
    batchSize: numberFlag(v, 'batch-size', d.batchSize, { int: true, min: 1 }),
    seed,
    memberSeed: numberFlag(v, 'member-seed', seed, { int: true, min: 0 }),
    defenses: [],
  };
}
