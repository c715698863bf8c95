// The rows of `cwrf bench` per dataset family: the Location table (tabular) and the paper's Table 3 set on
// images (issue 14), plus the sensitivity sweep over the rewind ratio and PVE lambda.
import { CWRF_DEFAULTS, cwrfStage, type CwrfStage } from '../defenses/index.ts';
import { cclDefaults, hampDefaults, makeObjective, relaxLossDefaults, type ObjectiveSpec, type Recipe } from '../train/index.ts';
import type { ModelSpec } from '../nn/index.ts';
import { InputError } from '../util/errors.ts';
import { datasetKind, type DatasetKind } from '../data/index.ts';

/** One row of the table: a defense built on a base run. */
export interface BenchDefense {
  name: string;
  /** Objective of the base model trained from scratch. */
  base: ObjectiveSpec;
  /** Extra epochs when training the base (compute-matched retraining). */
  extraEpochs?: number;
  /** DP-SGD settings of the base model. */
  dp?: Recipe['dp'];
  /** Model changes of the base (DP-SGD bases get `dpModel` on top). */
  model?: Partial<ModelSpec>;
  /** Weight-level stage applied to the base run, if any. */
  stage?: (recipe: Recipe) => CwrfStage;
  /** For a sensitivity point: the main row it varies, the parameter and its value. */
  sweep?: { of: string; param: SweepParam; value: number };
  /** For a trade-off grid point: the CWRF row it varies, or its control (the same fine-tune, nothing rewound). */
  grid?: GridTag;
  /** Settings given to its base defense on the command line ('alpha 0.02'; absent at the defaults): its directories carry them. */
  params?: string;
}


/** The axes of the trade-off grid. */
export type GridAxes = { ratio: number[]; epochs: number[]; lr: (number | 'recipe')[] };

/** Parses `ratio=0.001,0.01;epochs=2,5;lr=recipe,0.0001` (an axis left out keeps the row's value). */
export function parseGrid(spec: string): Partial<GridAxes> {
  const out: Partial<GridAxes> = {};
  for (const part of spec.split(';').map((x) => x.trim()).filter(Boolean)) {
    const [axis, values] = part.split('=');
    if (!values || !['ratio', 'epochs', 'lr'].includes(axis.trim()))
      throw new InputError(`--grid: '${part}' is not AXIS=V,V,... with AXIS one of ratio, epochs, lr (e.g. ratio=0.001,0.01;epochs=2,5;lr=recipe,0.0001)`);
    const vs = values.split(',').map((v) => v.trim());
    const num = (v: string, ok: (x: number) => boolean, what: string) => {
      const x = Number(v);
      if (v === '' || !Number.isFinite(x) || !ok(x)) throw new InputError(`--grid: ${axis.trim()} value '${v}' is not ${what}`);
      return x;
    };
    if (axis.trim() === 'ratio') out.ratio = vs.map((v) => num(v, (x) => x > 0 && x < 1, 'a fraction in (0, 1)'));
    else if (axis.trim() === 'epochs') out.epochs = vs.map((v) => num(v, (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1'));
    else out.lr = vs.map((v) => (v === 'recipe' ? 'recipe' : num(v, (x) => x > 0, "a positive number or 'recipe'")));
  }
  return out;
}

/** A grid point's label, e.g. 'r 1%, 5 ep, lr 0.0001'. */
export const gridLabel = (g: GridTag): string =>
  [g.ratio !== undefined ? `r ${+(g.ratio * 100).toFixed(3)}%` : '', g.epochs !== undefined ? `${g.epochs} ep` : '', `lr ${g.lr ?? 'recipe'}`].filter(Boolean).join(', ');

/**
 * The trade-off grid (issue 25): every (ratio, epochs, lr) point of `grids` on each CWRF row named in `of`, and
 * for each (epochs, lr) the control: the same fine-tune of the same base with nothing rewound (fine-tune-all). A
 * point equal to its main row reuses the main row's reference models from the cache (same recipe, same key).
 */
export function gridRows(rows: BenchDefense[], grids: Partial<GridAxes>[], of: string[]): BenchDefense[] {
  const out: BenchDefense[] = [];
  const seen = new Set<string>();
  for (const name of of) {
    const row = rows.find((r) => r.name === name && r.stage);
    if (!row) throw new InputError(`--grid-rows: '${name}' is not a CWRF row of this table (${rows.filter((r) => r.stage).map((r) => r.name).join(', ')})`);
    const inner = row.stage!;
    const baseName = name.replace(/ \+ CWRF.*$/, '');
    for (const g of grids) {
      for (const ratio of g.ratio ?? [undefined])
        for (const epochs of g.epochs ?? [undefined])
          for (const lr of g.lr ?? ['recipe' as const]) {
            const at = (r: Recipe, s: CwrfStage): CwrfStage => ({
              ...s,
              ...(ratio !== undefined ? { ratio } : {}),
              ...(epochs !== undefined ? { epochs } : {}),
              ...(lr !== 'recipe' && lr !== r.optimizer.lr ? { lr } : {}),
            });
            for (const control of [false, true]) {
              const stage = (r: Recipe): CwrfStage => {
                const s = at(r, inner(r));
                return control ? cwrfStage('finetune-all', { objective: s.objective, epochs: s.epochs, ...(s.lr !== undefined ? { lr: s.lr } : {}), ...(s.dp ? { dp: s.dp } : {}) }, r) : s;
              };
              const tag: GridTag = { of: name, control, ...(ratio !== undefined && !control ? { ratio } : {}), ...(epochs !== undefined ? { epochs } : {}), ...(lr !== 'recipe' ? { lr } : {}) };
              const label = `${control ? `${baseName} + fine-tune-all` : name} {${gridLabel(tag)}}`;
              if (seen.has(label)) continue;
              seen.add(label);
              out.push({ ...row, name: label, grid: tag, stage });
            }
          }
    }
  }
  return out;
}

export type DatasetFamily = DatasetKind;
import type { GridTag, SweepParam } from './results.ts';

export type { GridTag, SweepParam } from './results.ts';

/** Image datasets (their entry's kind) get the image row set; everything else the tabular one. */
export function datasetFamily(dataset: string): DatasetFamily {
  return datasetKind(dataset);
}

/** The sensitivity grid (issue 14): rewind ratio and PVE lambda, each varied with the other at its default. */
export const SWEEP: Record<SweepParam, number[]> = { ratio: [0.001, 0.01, 0.03], lambda: [0.1, 0.5, 0.9] };

const ccl = (dataset: string): ObjectiveSpec => ({ name: 'ccl', ...cclDefaults(dataset), form: 'exp' });
const hamp = (dataset: string): ObjectiveSpec => ({ name: 'hamp', ...hampDefaults(dataset) });

/** Why `spec` cannot be trained by this build (its objective is not implemented), or null. */
export function objectiveMissing(spec: ObjectiveSpec): string | null {
  try {
    makeObjective(spec);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

type StageOpts = Parameters<typeof cwrfStage>[1];
const stageOf =
  (method: CwrfStage['method'], opts: StageOpts, ftEpochs: number | undefined) =>
  (r: Recipe): CwrfStage =>
    cwrfStage(method, { ...(ftEpochs === undefined ? {} : { epochs: ftEpochs }), ...opts }, r);

/** The defenses of the Location table (docs/bench-location.md). */
export function tabularRows(dataset: string, ftEpochs = 10): BenchDefense[] {
  const rl = { name: 'relaxloss' as const, ...relaxLossDefaults(dataset) };
  const ls = { name: 'label-smoothing' as const, smoothing: 0.1 };
  const dp = { maxGradNorm: 1, targetEpsilon: 8, delta: 1e-5 };
  const stage = (m: CwrfStage['method'], o: StageOpts) => stageOf(m, o, ftEpochs);
  return [
    { name: 'none', base: { name: 'ce' } },
    { name: 'RelaxLoss', base: rl },
    { name: 'RelaxLoss + CWRF', base: rl, stage: stage('cwrf', { objective: rl }) },
    { name: 'label smoothing', base: ls },
    { name: 'label smoothing + CWRF', base: ls, stage: stage('cwrf', { objective: ls }) },
    { name: 'CWRF (CE fine-tune)', base: { name: 'ce' }, stage: stage('cwrf', { objective: { name: 'ce' } }) },
    { name: 'CWRF rewind only (no fine-tune)', base: { name: 'ce' }, stage: stage('rewind', {}) },
    { name: 'RelaxLoss + CWRF rewind only', base: rl, stage: stage('rewind', {}) },
    { name: 'RelaxLoss + fine-tune-all', base: rl, stage: stage('finetune-all', { objective: rl }) },
    { name: 'retrain (RelaxLoss, +fine-tune epochs)', base: rl, extraEpochs: ftEpochs },
    { name: 'prune (TFO, no fine-tune)', base: { name: 'ce' }, stage: stage('prune', { score: 'tfo' }) },
    { name: 'CCL', base: ccl(dataset) },
    { name: 'CCL + CWRF', base: ccl(dataset), stage: stage('cwrf', { objective: ccl(dataset) }) },
    { name: 'CCL + CWRF rewind only', base: ccl(dataset), stage: stage('rewind', {}) },
    { name: 'HAMP', base: hamp(dataset) },
    { name: 'HAMP + CWRF', base: hamp(dataset), stage: stage('cwrf', { objective: hamp(dataset) }) },
    { name: 'HAMP + CWRF rewind only', base: hamp(dataset), stage: stage('rewind', {}) },
    { name: 'DP-SGD (eps 8)', base: { name: 'ce' }, dp },
    { name: 'DP-SGD + CWRF (DP fine-tune, eps 8)', base: { name: 'ce' }, dp, stage: stage('cwrf', { objective: { name: 'ce' }, dp }) },
  ];
}

/** The paper's Table 3 row set on images (issue 14), names exactly as the issue gives them (fine-tune epochs: the family's default unless given). */
export function imageRows(dataset: string, ftEpochs?: number): BenchDefense[] {
  const rl: ObjectiveSpec = { name: 'relaxloss', ...relaxLossDefaults(dataset), variant: 'image' };
  const dp = { maxGradNorm: 1, targetEpsilon: 8, delta: 1e-5 };
  const stage = (m: CwrfStage['method'], o: StageOpts) => stageOf(m, o, ftEpochs);
  const cclSpec = ccl(dataset);
  const hampSpec = hamp(dataset);
  return [
    { name: 'none', base: { name: 'ce' } },
    { name: 'RelaxLoss', base: rl },
    { name: 'RelaxLoss + CWRF', base: rl, stage: stage('cwrf', { objective: rl }) },
    { name: 'CCL', base: cclSpec },
    { name: 'CCL + CWRF', base: cclSpec, stage: stage('cwrf', { objective: cclSpec }) },
    { name: 'HAMP', base: hampSpec },
    { name: 'HAMP + CWRF', base: hampSpec, stage: stage('cwrf', { objective: hampSpec }) },
    { name: 'DP-SGD', base: { name: 'ce' }, dp },
    { name: 'DP-SGD + CWRF', base: { name: 'ce' }, dp, stage: stage('cwrf', { objective: { name: 'ce' }, dp }) },
    { name: 'CWRF rewind only', base: { name: 'ce' }, stage: stage('rewind', {}) },
    { name: 'RelaxLoss + CWRF rewind only', base: rl, stage: stage('rewind', {}) },
    { name: 'CCL + CWRF rewind only', base: cclSpec, stage: stage('rewind', {}) },
    { name: 'RelaxLoss + fine-tune-all', base: rl, stage: stage('finetune-all', { objective: rl }) },
    { name: 'prune', base: { name: 'ce' }, stage: stage('prune', { score: 'tfo' }) },
  ];
}

/** The DP-SGD variant of a model: GroupNorm where the architecture defaults to BatchNorm (per-example statistics). */
export function dpModel(m: ModelSpec): ModelSpec {
  const batchByDefault = /^(resnet|wrn)/.test(m.arch);
  return (m.norm ?? (batchByDefault ? 'batch' : 'none')) === 'batch' && m.arch !== 'mlp' ? { ...m, norm: 'group' } : m;
}

/** The table's rows for the dataset's family. */
export function benchDefenses(dataset: string, ftEpochs?: number): BenchDefense[] {
  return datasetFamily(dataset) === 'image' ? imageRows(dataset, ftEpochs) : tabularRows(dataset, ftEpochs ?? CWRF_DEFAULTS.epochs);
}

/** Rows the sensitivity sweep varies (those of the family's table that exist). */
export const SWEPT_ROWS = ['RelaxLoss + CWRF', 'CCL + CWRF'];

/** Display value of a sweep point: ratios in %, lambda as is. */
export const sweepLabel = (param: SweepParam, value: number): string => (param === 'ratio' ? `r ${+(value * 100).toFixed(3)}%` : `lambda ${value}`);

/**
 * Sensitivity points: each swept row with one parameter moved off its default. The default point itself is
 * the main row (same stage, same runs), so it is not repeated.
 */
export function sweepRows(rows: BenchDefense[], params: SweepParam[], defaults: { ratio: number; lambda: number }): BenchDefense[] {
  const out: BenchDefense[] = [];
  for (const row of rows.filter((r) => SWEPT_ROWS.includes(r.name) && r.stage)) {
    for (const param of params)
      for (const value of SWEEP[param]) {
        if (value === defaults[param]) continue;
        const inner = row.stage!;
        out.push({
          ...row,
          name: `${row.name} [${sweepLabel(param, value)}]`,
          sweep: { of: row.name, param, value },
          stage: (r) => {
            const s = inner(r);
            return param === 'ratio' ? { ...s, ratio: value } : { ...s, pve: { ...s.pve, lambda: value } };
          },
        });
      }
  }
  return out;
}

/** What a table costs in model training: counted from its rows, before anything runs. */
export interface BenchPlan {
  /** Base models trained (targets and reference models). */
  trainings: number;
  /** Defense stages applied (targets and reference models). */
  stages: number;
  /** Weight scorings (PVE/TFO) among the stages. */
  scorings: number;
  /** Training epochs of base models and fine-tunes, without and with DP-SGD. */
  epochs: number;
  dpEpochs: number;
  /** Scoring cost in training epochs: PVE 2 passes (members, reference set) per iteration, TFO one epoch. */
  scoreEpochs: number;
  /** Evaluation cost in training epochs: every model's logits on the population (each query) and the test set, a forward pass costing a third of a training step. */
  evalEpochs: number;
}

/** DP-SGD epoch time over a plain one (npm run bench:dpsgd: small CNN 1.82x, Location MLP 1.62x). */
export const DP_EPOCH_FACTOR = 1.8;

/** Wall hours of a plan at `epochSeconds` per training epoch and `speedup` from parallel workers. */
export function planHours(p: BenchPlan, epochSeconds: number, speedup: number): number {
  return ((p.epochs + DP_EPOCH_FACTOR * p.dpEpochs + p.scoreEpochs + p.evalEpochs) * epochSeconds) / speedup / 3600;
}

/** Counts the work of `rows` over `seeds` with `refs` adaptive references (each replays its base and defense; base models are shared by the rows built on them). */
export function benchPlan(rows: BenchDefense[], seeds: number, refs: number, recipe: Recipe, sizes: { members: number; population: number; test: number; queries: number }): BenchPlan {
  const members = sizes.members;
  const models = seeds * (1 + refs);
  const bases = new Map<string, { epochs: number; dp: boolean }>();
  const p: BenchPlan = { trainings: 0, stages: 0, scorings: 0, epochs: 0, dpEpochs: 0, scoreEpochs: 0, evalEpochs: 0 };
  const stepsPerEpoch = Math.max(1, Math.ceil(members / recipe.batchSize));
  for (const d of rows) {
    const epochs = recipe.epochs + (d.extraEpochs ?? 0);
    bases.set(JSON.stringify([d.base, d.dp ?? null, d.model ?? null, epochs]), { epochs, dp: Boolean(d.dp) });
    if (!d.stage) continue;
    const s = d.stage({ ...recipe, objective: d.base, dp: d.dp });
    p.stages += models;
    if (s.ratio > 0 || s.method === 'prune') {
      p.scorings += models;
      p.scoreEpochs += s.score === 'pve' ? (models * 2 * s.pve.iters) / stepsPerEpoch : models; // TFO: one epoch of gradients
    }
    if (s.dp) p.dpEpochs += models * s.epochs;
    else p.epochs += models * s.epochs;
  }
  for (const b of bases.values()) {
    p.trainings += models;
    if (b.dp) p.dpEpochs += models * b.epochs;
    else p.epochs += models * b.epochs;
  }
  p.evalEpochs = ((p.trainings + p.stages) * (sizes.population * sizes.queries + sizes.test)) / (3 * members);
  return p;
}
