// Flags that describe a training recipe, shared by `train`, `defend --method retrain` and `bench`. Model and
// objective options come from their registries.
import { defaultRecipe, OBJECTIVES, type DpSpec, type ObjectiveSpec, type Recipe } from '../train/index.ts';
import { MODELS, type ModelSpec } from '../nn/index.ts';
import type { OptimizerSpec, ScheduleSpec } from '../optim/index.ts';
import { InputError } from '../util/errors.ts';
import { readAll, type OptionTable } from '../util/options.ts';
import type { Flags } from './flags.ts';
import { IMAGE_FLAGS, imageRecipeFromFlags } from './image-flags.ts';
import { dataSpecFromFlags } from './data-flags.ts';
import { releaseFor, RELEASES } from '../defenses/index.ts';

/** --objective also takes 'dpsgd': cross-entropy under DP-SGD (recorded as objective ce plus DP settings). */
const DPSGD = 'dpsgd';

/** Flags of DP-SGD (train, retrain, or a DP fine-tune). */
export const DP_FLAGS: OptionTable = {
  'max-grad-norm': { type: 'number', min: 0, default: 1, description: 'DP-SGD: clipping bound C on each example gradient' },
  'noise-multiplier': { type: 'number', min: 0, defaultText: 'from --target-epsilon', description: 'DP-SGD: noise std over C' },
  'target-epsilon': {
    type: 'number',
    min: 0,
    defaultText: '8 when no --noise-multiplier',
    description: 'DP-SGD: epsilon to reach over the epochs',
  },
  delta: { type: 'number', min: 0, max: 1, default: 1e-5, description: 'DP-SGD: delta of (epsilon, delta)-DP' },
};

/** Flags of a training objective (also used by `defend` for the fine-tuning objective), then DP-SGD's. */
export function objectiveFlags(defaultText: string): OptionTable {
  return {
    objective: {
      type: 'choice',
      choices: () => [...OBJECTIVES.names(), DPSGD],
      defaultText,
      description: `training objective (${DPSGD}: cross-entropy under DP-SGD)`,
    },
    ...OBJECTIVES.options(),
    ...DP_FLAGS,
    release: {
      type: 'choice',
      choices: () => ['none', ...RELEASES.names()],
      defaultText: `${RELEASES.entries()
        .filter((e) => e.objective)
        .map((e) => `${e.name} for --objective ${e.objective}, `)
        .join('')}else none`,
      description: `output transform of the released model (${RELEASES.entries()
        .map((e) => `${e.name}: ${e.description}`)
        .join('; ')})`,
    },
  };
}

/** The release of a recipe trained with `objective`: --release when given, else the objective's default. */
export function releaseFromFlags(f: Flags, objective: ObjectiveSpec): Recipe['release'] {
  const r = f.opt<string>('release');
  if (r === undefined) return releaseFor(objective);
  return r === 'none' ? undefined : { name: r };
}

export const RECIPE_FLAGS: OptionTable = {
  dataset: { type: 'string', short: 'd', value: 'NAME', default: 'mnist', description: 'dataset name or spec (cwrf datasets)' },
  model: {
    type: 'string',
    value: MODELS.names()
      .map((n) => (MODELS.get(n).argument ? `${n}:${MODELS.get(n).argument}` : n))
      .join('|'),
    defaultText: 'dataset preset (mlp; cifar*, imagefolder: smallcnn)',
    description: 'architecture',
  },
  ...MODELS.options(),
  epochs: { type: 'int', min: 0, defaultText: 'preset (30; cifar*, imagefolder: 20; image ResNets/WRN, vit-tiny: 100)', description: 'training epochs' },
  optimizer: { type: 'choice', choices: ['sgd', 'adam', 'adamw'], defaultText: 'preset (adam; image ResNets/WRN: sgd; vit-tiny: adamw)', description: 'optimizer' },
  lr: {
    type: 'number',
    min: 0,
    defaultText: 'preset (1e-3; image ResNets/WRN: 0.01); 0.1 for sgd over an adam preset',
    description: 'initial learning rate',
  },
  momentum: { type: 'number', min: 0, max: 1, default: 0.9, description: 'SGD momentum' },
  nesterov: { type: 'boolean', description: 'SGD with Nesterov momentum' },
  'weight-decay': { type: 'number', min: 0, defaultText: 'preset (0; CIFAR ResNets/WRN 5e-4, vit-tiny 0.05)', description: 'L2 weight decay' },
  schedule: {
    type: 'choice',
    choices: ['constant', 'step', 'cosine', 'multistep'],
    defaultText: 'preset (constant; image ResNets/WRN: multistep; vit-tiny: cosine)',
    description: 'learning-rate schedule',
  },
  'step-size': { type: 'int', min: 1, default: 10, description: 'epochs between decays of the step schedule' },
  gamma: { type: 'number', min: 0, default: 0.1, description: 'decay factor of the step and multistep schedules' },
  milestones: {
    type: 'list',
    min: 0,
    max: 1,
    defaultText: '0.5,0.8',
    description: 'multistep schedule: decay points as fractions of the epochs (scale with --epochs)',
  },
  ...IMAGE_FLAGS,
  'batch-size': {
    type: 'int',
    min: 1,
    defaultText: 'preset (128; cifar*, imagefolder: 64; image ResNets/WRN: 256)',
    description: 'batch size (DP-SGD: expected batch size)',
  },
  seed: { type: 'int', min: 0, default: 0, description: 'model seed (initial weights, batch order)' },
  'member-seed': { type: 'int', min: 0, defaultText: '--seed', description: "seed of the target's member half" },
  'split-seed': { type: 'int', min: 0, default: 0, description: 'seed of the population / reference / test split' },
  population: { type: 'int', min: 2, defaultText: 'all train rows not held out', description: 'audit population size' },
  'reference-fraction': {
    type: 'number',
    min: 0,
    max: 0.9,
    defaultText: 'dataset preset (0.1)',
    description: "fraction of train rows held out as the defender's reference set",
  },
  'test-size': { type: 'int', min: 1, defaultText: "the dataset's test split, else 10% of train", description: 'test rows' },
  ...objectiveFlags('dataset preset (ce)'),
};

/** The objective named by --objective (with its options over `def`), and whether DP-SGD was asked for. */
export function objectiveFromFlags(f: Flags, dataset: string, def: ObjectiveSpec): { objective: ObjectiveSpec; dpsgd: boolean } {
  const name = f.get<string>('objective', def.name);
  const entry = OBJECTIVES.get(name === DPSGD ? 'ce' : name);
  for (const flag of Object.keys(OBJECTIVES.options()))
    if (f.has(flag) && !(flag in entry.options)) throw new InputError(`--${flag} does not apply to --objective ${name}`);
  if (name === DPSGD) return { objective: { name: 'ce' }, dpsgd: true };
  if (Object.keys(entry.options).length === 0) return { objective: name === def.name ? def : { name }, dpsgd: false };
  return { objective: { name, ...readAll(entry.options, f.values, entry.defaults?.(dataset)) }, dpsgd: false };
}

/** DP settings from flags, or undefined when none is given (and none is required). */
export function dpFromFlags(f: Flags, required: boolean): DpSpec | undefined {
  const any = ['max-grad-norm', 'noise-multiplier', 'target-epsilon'].some((k) => f.has(k));
  if (!any && !required) return undefined;
  const dp: DpSpec = {
    maxGradNorm: f.get<number>('max-grad-norm'),
    noiseMultiplier: f.opt<number>('noise-multiplier'),
    targetEpsilon: f.opt<number>('target-epsilon'),
    delta: f.get<number>('delta'),
  };
  if (dp.noiseMultiplier === undefined && dp.targetEpsilon === undefined) dp.targetEpsilon = 8;
  return dp;
}

/** The model of --model NAME[:ARG] over the dataset preset, with the family's options given as flags. */
export function modelFromFlags(f: Flags, preset: ModelSpec): ModelSpec {
  const given = f.get<string>('model', preset.arch);
  const colon = given.indexOf(':');
  const arch = colon < 0 ? given : given.slice(0, colon);
  if (!MODELS.names().includes(arch)) throw new InputError(`--model: '${given}' is not one of ${String(RECIPE_FLAGS.model.value)}`);
  const entry = MODELS.get(arch);
  if (entry.argument && colon < 0) throw new InputError(`--model ${arch} needs its argument: --model ${arch}:${entry.argument}`);
  if (!entry.argument && colon >= 0) throw new InputError(`--model ${arch} takes no argument (got '${given}')`);
  const model: ModelSpec = arch === preset.arch ? { ...preset } : { arch };
  for (const [flag, spec] of Object.entries(MODELS.options())) {
    if (!f.has(flag)) continue;
    const own = entry.options[flag];
    if (!own) throw new InputError(`--${flag} does not apply to --model ${arch}`);
    model[own.key ?? flag] = f.with(flag, own ?? spec);
  }
  if (!entry.fromArgument) return model;
  return entry.fromArgument(given.slice(colon + 1), readAll(entry.options, f.values));
}

/** A complete recipe: the dataset's defaults overridden by the flags given. */
export function recipeFromFlags(f: Flags): Recipe {
  const dataset = f.get<string>('dataset');
  const d = defaultRecipe(dataset, f.opt<string>('model'));
  const model = modelFromFlags(f, d.model);
  const optName = f.get<OptimizerSpec['name']>('optimizer', d.optimizer.name);
  const lr = f.get<number>('lr', optName === 'sgd' && d.optimizer.name !== 'sgd' ? 0.1 : d.optimizer.lr);
  const wd = f.get<number>('weight-decay', optName === d.optimizer.name ? (d.optimizer.weightDecay ?? 0) : 0);
  const optimizer: OptimizerSpec =
    optName === 'sgd'
      ? { name: 'sgd', lr, momentum: f.get<number>('momentum'), nesterov: f.get<boolean>('nesterov', false), weightDecay: wd }
      : { name: optName, lr, weightDecay: wd };
  const sched = f.get<ScheduleSpec['name']>('schedule', d.schedule.name);
  const schedule: ScheduleSpec =
    sched === 'step'
      ? { name: 'step', stepSize: f.get<number>('step-size'), gamma: f.get<number>('gamma') }
      : sched === 'multistep'
        ? { name: 'multistep', milestones: f.get<number[]>('milestones', d.schedule.name === 'multistep' ? d.schedule.milestones : [0.5, 0.8]), gamma: f.get<number>('gamma') }
        : sched === d.schedule.name
          ? d.schedule
          : { name: sched };
  const seed = f.get<number>('seed');
  const { objective, dpsgd } = objectiveFromFlags(f, dataset, d.objective);
  const dp = dpFromFlags(f, dpsgd);
  const norm = MODELS.get(model.arch).options.norm;
  if (dpsgd && norm && (model.norm ?? norm.default) === 'batch')
    throw new InputError('DP-SGD cannot train BatchNorm layers (batch statistics mix examples): use --norm group');
  const release = releaseFromFlags(f, objective);
  const population = f.opt<number>('population');
  const testSize = f.opt<number>('test-size');
  const data = dataSpecFromFlags(f, dataset);
  return {
    dataset,
    ...(data ? { data } : {}),
    split: {
      seed: f.get<number>('split-seed'),
      referenceFraction: f.get<number>('reference-fraction', d.split.referenceFraction ?? 0.1),
      ...(population ? { populationSize: population } : {}),
      ...(testSize ? { testSize } : {}),
    },
    model,
    optimizer,
    schedule,
    objective,
    ...(dp ? { dp } : {}),
    epochs: f.get<number>('epochs', d.epochs),
    batchSize: f.get<number>('batch-size', d.batchSize),
    seed,
    memberSeed: f.get<number>('member-seed', seed),
    defenses: [],
    ...imageRecipeFromFlags(f, d),
    ...(release ? { release } : {}),
  };
}
