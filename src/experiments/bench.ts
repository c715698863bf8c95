// `bench`: the privacy-utility table (paper Table 3 style): every defense on the same footing, several
// seeds, each audited by reference models that replay it (adaptive attacker).
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { cwrfStage, releaseFor } from '../defenses/index.ts';
import { cclDefaults, hampDefaults, relaxLossDefaults, type DefenseStage, type ObjectiveSpec, type Recipe } from '../train/index.ts';
import type { AttackName } from '../attacks/index.ts';
import type { LoadOptions } from '../data/index.ts';
import type { ModelSpec } from '../nn/index.ts';
import { audit, type AuditJson, type AuditOptions } from './audit.ts';
import { defend, defendedRecipe } from './defend.ts';
import type { ReferenceExecutor } from './refs.ts';
import { reuseRun, train, type Run } from './run.ts';
import { InputError } from '../util/errors.ts';
import type { BenchRow } from '../report/bench-summary.ts';

export type { BenchRow } from '../report/bench-summary.ts';

export const BENCH_ATTACKS: AttackName[] = ['lira-online-fixed', 'rmia-online', 'loss'];

/** One row of the table: a defense built on a base run. */
export interface BenchDefense {
  name: string;
  /** Objective of the base model trained from scratch. */
  base: ObjectiveSpec;
  /** Extra epochs when training the base (compute-matched retraining). */
  extraEpochs?: number;
  /** DP-SGD settings of the base model. */
  dp?: Recipe['dp'];
  /** Weight-level stage applied to the base run, if any. */
  stage?: (recipe: Recipe) => DefenseStage;
}

/** The defenses of the Location table. */
export function benchDefenses(dataset: string, ftEpochs = 10): BenchDefense[] {
  const rl = { name: 'relaxloss' as const, ...relaxLossDefaults(dataset) };
  const ls = { name: 'label-smoothing' as const, smoothing: 0.1 };
  const dp = { maxGradNorm: 1, targetEpsilon: 8, delta: 1e-5 };
  const ccl = { name: 'ccl' as const, ...cclDefaults(dataset), form: 'exp' as const };
  const hamp = { name: 'hamp' as const, ...hampDefaults(dataset) };
  const stage = (method: Parameters<typeof cwrfStage>[0], opts: Parameters<typeof cwrfStage>[1]) => (r: Recipe) =>
    cwrfStage(method, { epochs: ftEpochs, ...opts }, r) as unknown as DefenseStage;
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
    { name: 'CCL', base: ccl },
    { name: 'CCL + CWRF', base: ccl, stage: stage('cwrf', { objective: ccl }) },
    { name: 'CCL + CWRF rewind only', base: ccl, stage: stage('rewind', {}) },
    { name: 'HAMP', base: hamp },
    { name: 'HAMP + CWRF', base: hamp, stage: stage('cwrf', { objective: hamp }) },
    { name: 'HAMP + CWRF rewind only', base: hamp, stage: stage('rewind', {}) },
    { name: 'DP-SGD (eps 8)', base: { name: 'ce' }, dp },
    { name: 'DP-SGD + CWRF (DP fine-tune, eps 8)', base: { name: 'ce' }, dp, stage: stage('cwrf', { objective: { name: 'ce' }, dp }) },
  ];
}

export interface BenchOptions extends LoadOptions {
  out: string;
  /** Renders each audit's report.html (see AuditOptions.render). */
  render?: AuditOptions['render'];
  seeds: number[];
  refs: number;
  workers?: number;
  /** Intra-op threads of the reference models (default: trainingThreads()). */
  threads?: number;
  /** Where reference models train (default: a local pool of `workers` processes). */
  executor?: ReferenceExecutor;
  ftEpochs?: number;
  /** Row ids (slugs of the row names) to run; all rows when absent. */
  only?: string[];
  onStep?: (what: string) => void;
}

function readAudit(dir: string): AuditJson | null {
  const f = join(dir, 'audit.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as AuditJson) : null;
}

/** A row's directory name and its id for `only`. */
export const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** Runs (or resumes: finished runs and audits are reused) the whole table. */
export async function bench(base: Recipe, o: BenchOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const all = benchDefenses(base.dataset, o.ftEpochs);
  const unknown = (o.only ?? []).filter((n) => !all.some((d) => slug(d.name) === n));
  if (unknown.length) throw new InputError(`unknown bench row '${unknown[0]}' (rows: ${all.map((d) => slug(d.name)).join(', ')})`);
  const defenses = all.filter((d) => !o.only || o.only.includes(slug(d.name)));
  for (const seed of o.seeds) {
    for (const d of defenses) {
      const release = releaseFor(d.base);
      const model = d.dp ? dpModel(base.model) : base.model;
      const baseRecipe: Recipe = { ...base, model, seed, memberSeed: seed, objective: d.base, dp: d.dp, epochs: base.epochs + (d.extraEpochs ?? 0), defenses: [], release };
      const baseDir = join(o.out, `seed${seed}`, slug(`${d.dp ? 'dpsgd' : d.base.name}-${baseRecipe.epochs}`));
      let run: Run;
      if (existsSync(join(baseDir, 'run.json'))) run = await reuseRun(baseDir, baseRecipe);
      else {
        o.onStep?.(`seed ${seed}: train ${d.dp ? 'DP-SGD' : d.base.name} (${baseRecipe.epochs} epochs)`);
        run = await train(baseRecipe, { ...o, out: baseDir });
      }
      let target = run;
      let cost = 1 + (d.extraEpochs ?? 0) / base.epochs;
      if (d.stage) {
        const dir = join(o.out, `seed${seed}`, slug(d.name));
        const stage = d.stage(run.recipe);
        if (existsSync(join(dir, 'run.json'))) target = await reuseRun(dir, defendedRecipe(run.recipe, stage));
        else {
          o.onStep?.(`seed ${seed}: ${d.name}`);
          target = await defend(run, { stage }, { ...o, out: dir });
        }
        cost = (target.metrics.stages.at(-1)?.seconds ?? 0) / run.metrics.trainSeconds;
      }
      const auditDir = join(target.dir, 'audit');
      let a = readAudit(auditDir);
      if (!a) {
        o.onStep?.(`seed ${seed}: audit ${d.name}`);
        a = await audit(target, { ...o, refs: o.refs, out: auditDir, workers: o.workers, attacks: BENCH_ATTACKS });
      }
      rows.push({
        defense: d.name,
        seed,
        testAccuracy: a.target.testAccuracy,
        trainAccuracy: a.target.trainAccuracy,
        relativeCost: cost,
        attacks: Object.fromEntries(a.attacks.map((x) => [x.name, { auc: x.metrics.auc, tprAt0_1pct: x.metrics.tprAt0_1pct, tprAt1pct: x.metrics.tprAt1pct }])),
      });
    }
  }
  return rows;
}

/** The DP-SGD variant of a model: GroupNorm where the architecture defaults to BatchNorm (per-example statistics). */
export function dpModel(m: ModelSpec): ModelSpec {
  const batchByDefault = /^(resnet|wrn)/.test(m.arch);
  return (m.norm ?? (batchByDefault ? 'batch' : 'none')) === 'batch' && m.arch !== 'mlp' ? { ...m, norm: 'group' } : m;
}
