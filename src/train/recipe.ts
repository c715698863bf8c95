// A run's recipe: everything needed to replay a training run with another seed and member half.
import type { AugmentSpec, NormalizeSpec } from '../data/index.ts';
import { MODELS, type ModelSpec } from '../nn/index.ts';
import type { OptimizerSpec, ScheduleSpec } from '../optim/index.ts';
import { checkNumber as num, isRecord } from '../util/check.ts';
import { InputError } from '../util/errors.ts';
import { OBJECTIVES, type ObjectiveSpec } from './objectives/index.ts';

/** How the dataset is cut into the audit population, the defender's reference set and a test set. */
export interface SplitSpec {
  seed: number;
  /** Size of the audit population (default: all train rows not used for reference/test). */
  populationSize?: number;
  /** Fraction of train rows held out as the defender's non-member reference set (default 0.1). */
  referenceFraction?: number;
  /** Test rows (default: the dataset's test split, or 10% of train when it has none). */
  testSize?: number;
}

/**
 * How the dataset is read, beyond its name: recorded only where it differs from the default, so a recipe
 * without it (every run of a named dataset) keeps its canonical JSON, hence its cache keys.
 */
export interface DataSpec {
  /** Label column of a csv: file, as a 0-based index (absent: the first column). */
  labelColumn?: number;
  /** Only the first `limit` examples of each split, class-balanced. */
  limit?: number;
}

/** DP-SGD settings (objective 'dpsgd' wraps the chosen loss with per-example clipping and noise). */
export interface DpSpec {
  maxGradNorm: number;
  noiseMultiplier?: number;
  targetEpsilon?: number;
  delta: number;
}

/** One post-training defense stage (e.g. CWRF), replayed on every reference model too. */
export interface DefenseStage {
  method: string;
  [option: string]: unknown;
}

/**
 * A transform of every output the model releases (signals, accuracy, reports), part of the released model: an
 * entry of the release registry (RELEASES, src/defenses/release.ts), which checks the name where it is applied.
 */
export interface ReleaseSpec {
  name: string;
}

export interface Recipe {
  dataset: string;
  /** Data options (label column, limit); absent: the defaults. */
  data?: DataSpec;
  split: SplitSpec;
  model: ModelSpec;
  optimizer: OptimizerSpec;
  schedule: ScheduleSpec;
  objective: ObjectiveSpec;
  dp?: DpSpec;
  epochs: number;
  batchSize: number;
  /** Seed of the model: initial weights, batch order, dropout. */
  seed: number;
  /** Seed of the member half of the population. */
  memberSeed: number;
  defenses: DefenseStage[];
  /** Training augmentation (images; absent: none). Its draws come from a stream derived from `seed`. */
  augment?: AugmentSpec;
  /** Per-channel normalisation applied wherever the model sees an image ('population': computed there, then recorded). */
  normalize?: NormalizeSpec | 'population';
  /** Output transform of the released model (absent: the raw logits). */
  release?: ReleaseSpec;
}

/** A number of the recipe: where it is, its name in messages, its range; `required`: checked even when absent. */
export interface RecipeNumber {
  path: readonly string[];
  what: string;
  int?: boolean;
  min?: number;
  max?: number;
  required?: boolean;
}

/**
 * The recipe's numbers and their ranges, written once: validateRecipe checks them, and the queue's job schema
 * (src/references/queue/job.ts) is built from them (recipeNumberSchema).
 */
export const RECIPE_NUMBERS: readonly RecipeNumber[] = [
  { path: ['epochs'], what: 'epochs', int: true, min: 0, required: true },
  { path: ['batchSize'], what: 'batch size', int: true, min: 1, required: true },
  { path: ['seed'], what: 'seed', int: true, min: 0, required: true },
  { path: ['memberSeed'], what: 'member seed', int: true, min: 0 },
  { path: ['optimizer', 'lr'], what: 'learning rate', min: 0, required: true },
  { path: ['split', 'seed'], what: 'split seed', int: true, min: 0 },
  { path: ['split', 'populationSize'], what: 'population size', int: true, min: 0 },
  { path: ['split', 'referenceFraction'], what: 'reference fraction', min: 0, max: 0.9 },
  { path: ['split', 'testSize'], what: 'test size', int: true, min: 0 },
  { path: ['augment', 'pad'], what: 'pad', int: true, min: 1, max: 64 },
  { path: ['data', 'labelColumn'], what: 'label column', int: true, min: 0 },
  { path: ['data', 'limit'], what: 'limit', int: true, min: 1 },
  { path: ['dp', 'maxGradNorm'], what: 'max grad norm', min: 0 },
  { path: ['dp', 'noiseMultiplier'], what: 'noise multiplier', min: 0 },
  { path: ['dp', 'targetEpsilon'], what: 'target epsilon', min: 0 },
  { path: ['dp', 'delta'], what: 'delta', min: 0, max: 1 },
];

/** The JSON schema of the recipe number at `path` (its type and range, from RECIPE_NUMBERS). */
export function recipeNumberSchema(...path: string[]): { type: 'integer' | 'number'; minimum?: number; maximum?: number } {
  const n = RECIPE_NUMBERS.find((e) => e.path.join('.') === path.join('.'));
  if (!n) throw new Error(`no recipe number at ${path.join('.')}`);
  return { type: n.int ? 'integer' : 'number', ...(n.min !== undefined ? { minimum: n.min } : {}), ...(n.max !== undefined ? { maximum: n.max } : {}) };
}

function valueAt(v: unknown, path: readonly string[]): unknown {
  let x = v;
  for (const k of path) {
    if (!isRecord(x)) return undefined;
    x = x[k];
  }
  return x;
}

/** Checks a recipe's values, throwing an InputError naming the first bad field. */
export function validateRecipe(r: Recipe): Recipe {
  for (const n of RECIPE_NUMBERS) {
    const v = valueAt(r, n.path);
    if (v !== undefined || n.required) num(v, n.what, n);
  }
  if (!['sgd', 'adam', 'adamw'].includes(r.optimizer.name))
    throw new InputError(`unknown optimizer '${r.optimizer.name}' (sgd, adam, adamw)`);
  MODELS.get(r.model.arch).validate?.(r.model);
  if (r.model.hidden) r.model.hidden.forEach((h) => num(h, 'hidden layer size', { int: true, min: 1 }));
  OBJECTIVES.get(r.objective.name).validate?.(r.objective);
  if (r.schedule.name === 'multistep') {
    if (!Array.isArray(r.schedule.milestones) || r.schedule.milestones.length === 0) throw new InputError('--milestones needs at least one fraction of the epochs');
    r.schedule.milestones.forEach((m) => num(m, 'milestone (a fraction of the epochs)', { min: 0, max: 1 }));
  }
  if (r.augment && r.augment.pad === undefined) num(r.augment.pad, 'pad');
  if (r.release && typeof r.release.name !== 'string') throw new InputError(`a recipe's release must be {name}, got ${JSON.stringify(r.release)}`);
  if (r.dp) {
    num(r.dp.maxGradNorm, 'max grad norm');
    num(r.dp.delta, 'delta');
    if (r.dp.noiseMultiplier === undefined && r.dp.targetEpsilon === undefined)
      throw new InputError('DP-SGD needs --noise-multiplier or --target-epsilon');
  }
  return r;
}

/** The recipe with a different model seed and member half (how reference models are made). */
export function withSeeds(r: Recipe, seed: number, memberSeed: number): Recipe {
  return { ...r, seed, memberSeed };
}

/** Stable JSON (sorted keys) for hashing and comparing recipes. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}
