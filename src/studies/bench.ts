// `bench`: the privacy-utility table (paper Table 3 style): every defense on the same footing, several
// seeds, each audited by reference models that replay it (adaptive attacker). Rows per dataset family and
// the sensitivity sweep are in bench-rows.ts. Resumable: finished runs and audits are reused, reference
// models are cached, and `collect` builds the table from what is finished without training anything.
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import type { Recipe } from '../train/index.ts';
import { DEFAULT_RESAMPLES, type AttackName } from '../attacks/index.ts';
import type { LoadOptions } from '../data/index.ts';
import { audit, type AuditJson, type AuditOptions } from '../audit/audit.ts';
import { DEFAULT_DELTA, summarizeAttacks, type AttackSummary } from '../audit/attack-set.ts';
import { readSignals } from '../audit/signals.ts';
import { defend, defendedRecipe } from '../runs/defend.ts';
import type { ReferenceExecutor } from '../references/refs.ts';
import { reuseRun, train, type Run } from '../runs/run.ts';
import { InputError } from '../util/errors.ts';
import { benchDefenses, dpModel, gridRows, objectiveMissing, sweepRows, type BenchDefense, type GridAxes, type SweepParam } from './bench-rows.ts';
import { CWRF_DEFAULTS, METHODS, ranksByPve, releaseFor, type CwrfStage } from '../defenses/index.ts';
import type { BenchResult, BenchRow } from './results.ts';
import { NO_PARAMS, withParams, type BaseParams } from './bench-params.ts';

export type { BenchResult, BenchRow } from './results.ts';
export type { BenchSummary } from '../report/bench-summary.ts';

export { benchDefenses, benchPlan, dpModel, datasetFamily, imageRows, planHours, tabularRows, sweepRows, DP_EPOCH_FACTOR, SWEEP, SWEPT_ROWS, sweepLabel, gridRows, parseGrid, gridLabel } from './bench-rows.ts';
export type { BenchDefense, BenchPlan, DatasetFamily, SweepParam, GridAxes, GridTag } from './bench-rows.ts';

export const BENCH_ATTACKS: AttackName[] = ['lira-online-fixed', 'rmia-online', 'loss'];
/** The attacks of a reference-count study: LiRA online and offline (fixed and per-example variance), RMIA online, the loss threshold. */
export const REFS_ATTACKS: AttackName[] = ['lira-online-fixed', 'lira-online', 'lira-offline-fixed', 'lira-offline', 'rmia-online', 'loss'];

/** Checks the reference counts of a study: ascending, each a multiple of the first (the nested design's block). */
export function checkRefCounts(counts: number[]): number[] {
  if (!counts.length) throw new InputError('--refs: no reference count given');
  for (const [i, n] of counts.entries()) {
    if (n < 2) throw new InputError(`--refs: ${n} references are too few (at least 2)`);
    if (i > 0 && n <= counts[i - 1]) throw new InputError(`--refs ${counts.join(',')}: the counts must be ascending`);
    if (n % counts[0]) throw new InputError(`--refs ${counts.join(',')}: ${n} is not a multiple of ${counts[0]} (each audit's references are the first blocks of the next count's)`);
  }
  return counts;
}

export interface BenchOptions extends LoadOptions {
  out: string;
  /** Renders each audit's report.html (see AuditOptions.render). */
  render?: AuditOptions['render'];
  seeds: number[];
  refs: number;
  /** A reference-count study: every cell audited with each of these counts (ascending, multiples of the first; see checkRefCounts). */
  refCounts?: number[];
  workers?: number;
  /** Intra-op threads of the reference models (default: trainingThreads()). */
  threads?: number;
  /** Where reference models train (default: a local pool of `workers` processes). */
  executor?: ReferenceExecutor;
  ftEpochs?: number;
  /** Learning rate of PVE's updated copy in every PVE-scored stage (default: the recipe's; see --pve-lr). */
  pveLr?: number;
  /** Initial learning rate of every stage's fine-tune (default: the recipe's; see --ft-lr). */
  ftLr?: number;
  /** Row ids (slugs of the row names) to run; all rows when absent. */
  only?: string[];
  /** Sensitivity sweep: also run the swept rows with these parameters moved off their defaults. */
  sweep?: SweepParam[];
  /** Trade-off grids (each a product of ratio x epochs x lr) over `gridRows`, each point with its control. */
  grid?: Partial<GridAxes>[];
  /** The CWRF rows the grid varies (default RelaxLoss + CWRF). */
  gridRows?: string[];
  /** Settings of the base defenses given on the command line (absent: every row at its defaults). */
  params?: BaseParams;
  /** LiRA queries per example (passed to the audit where the audit supports it). */
  queries?: number;
  /** Only gather finished rows (train and audit nothing). */
  collect?: boolean;
  onStep?: (what: string) => void;
  /** After every finished row (all rows so far), e.g. to write a partial table. */
  onRow?: (sofar: BenchResult) => Promise<void> | void;
  /** A row left out: its objective is not in this build, or (collect) it is not finished. */
  onSkip?: (defense: string, seed: number | null, why: string) => void;
}

function readAudit(dir: string): AuditJson | null {
  const f = join(dir, 'audit.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as AuditJson) : null;
}

/**
 * The audit's attack summaries with their intervals: an audit written before they were recorded gets them from
 * its signals file's target scores (the same function, the same seed, so the same bytes as a fresh audit).
 */
async function withIntervals(dir: string, a: AuditJson): Promise<AttackSummary[]> {
  if (a.attacks.every((x) => x.intervals)) return a.attacks;
  const s = await readSignals(join(dir, 'signals.safetensors'));
  const n = s.labels.length;
  const member = s.inclusion.subarray(s.target * n, (s.target + 1) * n);
  const u = { resamples: DEFAULT_RESAMPLES, delta: a.recipe.dp?.delta ?? DEFAULT_DELTA, seed: a.settings.seed };
  return a.attacks.map((x) => (x.intervals || !s.scores[x.name] ? x : summarizeAttacks([{ name: x.name, scores: s.scores[x.name], metrics: x.metrics, evaluated: n }], member, u)[0]));
}

/** A row's directory name and its id for `only`. */
export const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** `rows` with every stage passed through `edit` (unchanged when `edit` is absent). */
function mapStages(rows: BenchDefense[], edit: ((s: CwrfStage) => CwrfStage) | undefined): BenchDefense[] {
  if (!edit) return rows;
  return rows.map((d) => {
    const stage = d.stage;
    return stage ? { ...d, stage: (r: Recipe) => edit(stage(r)) } : d;
  });
}

/** PVE's copy updating at learning rate `lr` in every stage that ranks by PVE (fine-tune-all scores nothing). */
const pveLrEdit = (lr: number) => (s: CwrfStage) => (ranksByPve(s) ? { ...s, pve: { ...s.pve, lr } } : s);

/** The fine-tune at initial learning rate `lr` in every stage that fine-tunes (the method has an lr option). */
const ftLrEdit = (lr: number) => (s: CwrfStage) => ('lr' in METHODS.get(s.method).options ? { ...s, lr } : s);

/** The rows `o` selects (main table, then sweep points), checked against the family's row set. */
export function selectDefenses(dataset: string, o: Pick<BenchOptions, 'only' | 'ftEpochs' | 'sweep' | 'pveLr' | 'ftLr' | 'grid' | 'gridRows' | 'params'>): BenchDefense[] {
  const rows = mapStages(benchDefenses(dataset, o.ftEpochs), o.pveLr === undefined ? undefined : pveLrEdit(o.pveLr));
  const all = mapStages(rows, o.ftLr === undefined ? undefined : ftLrEdit(o.ftLr));
  const unknown = (o.only ?? []).filter((n) => !all.some((d) => slug(d.name) === n));
  if (unknown.length) throw new InputError(`unknown bench row '${unknown[0]}' (rows: ${all.map((d) => slug(d.name)).join(', ')})`);
  const main = all.filter((d) => !o.only || o.only.includes(slug(d.name)));
  const sweep = o.sweep?.length ? sweepRows(main, o.sweep, { ratio: CWRF_DEFAULTS.ratio, lambda: CWRF_DEFAULTS.pve.lambda }) : [];
  const grid = o.grid?.length ? gridRows(all, o.grid, o.gridRows ?? ['RelaxLoss + CWRF']) : [];
  return withParams([...main, ...sweep, ...grid], o.params ?? NO_PARAMS);
}

/** An audit's cost: mean seconds of its trained (not cached) references, and of its attacks. */
function referenceCost(a: AuditJson): { secondsPerReference?: number; attackSeconds: number } {
  const trained = a.references.filter((r) => !r.cached);
  return { ...(trained.length ? { secondsPerReference: trained.reduce((s, r) => s + r.seconds, 0) / trained.length } : {}), attackSeconds: a.seconds.attacks };
}

function baseRecipeOf(base: Recipe, d: BenchDefense, seed: number): Recipe {
  return {
    ...base,
    seed,
    memberSeed: seed,
    model: d.dp ? dpModel({ ...base.model, ...(d.model ?? {}) }) : { ...base.model, ...(d.model ?? {}) },
    objective: d.base,
    dp: d.dp,
    epochs: base.epochs + (d.extraEpochs ?? 0),
    defenses: [],
    release: releaseFor(d.base),
  };
}

/**
 * Runs (or resumes: finished runs and audits are reused) the whole table; seeds outermost, so a partial table has
 * every row of the first seed first. A reference-count study (`refCounts`) puts the counts outside the seeds, so the
 * cheap audits of every cell come first; base models and defenses are trained once and shared by all counts.
 */
export async function bench(base: Recipe, o: BenchOptions): Promise<BenchResult> {
  const rows: BenchRow[] = [];
  const missing: BenchResult['missing'] = [];
  const defenses: BenchDefense[] = [];
  for (const d of selectDefenses(base.dataset, o)) {
    const why = objectiveMissing(d.base);
    if (why) {
      missing.push({ defense: d.name, seed: null, why });
      o.onSkip?.(d.name, null, why);
    } else defenses.push(d);
  }
  const skip = (defense: string, seed: number, why: string) => {
    missing.push({ defense, seed, why });
    o.onSkip?.(defense, seed, why);
  };
  const study = o.refCounts && o.refCounts.length > 1 ? checkRefCounts(o.refCounts) : undefined;
  const counts = study ?? [o.refCounts?.[0] ?? o.refs];
  const planned = defenses.length * o.seeds.length * counts.length;
  for (const [refs, seed] of counts.flatMap((n) => o.seeds.map((s) => [n, s] as const))) {
    for (const d of defenses) {
      const baseRecipe = baseRecipeOf(base, d, seed);
      const tag = `${d.dp ? `dpsgd${baseRecipe.model.norm && baseRecipe.model.norm !== base.model.norm ? `-${baseRecipe.model.norm}norm` : ''}` : d.base.name}${d.params ? ` ${d.params}` : ''}`;
      const baseDir = join(o.out, `seed${seed}`, slug(`${tag}-${baseRecipe.epochs}`));
      let run: Run;
      if (existsSync(join(baseDir, 'run.json'))) run = await reuseRun(baseDir, baseRecipe);
      else if (o.collect) {
        skip(d.name, seed, 'not trained yet');
        continue;
      } else {
        o.onStep?.(`seed ${seed}: train ${d.dp ? 'DP-SGD' : d.base.name} (${baseRecipe.epochs} epochs)`);
        run = await train(baseRecipe, { ...o, out: baseDir });
      }
      let target = run;
      let cost = 1 + (d.extraEpochs ?? 0) / base.epochs;
      if (d.stage) {
        const dir = join(o.out, `seed${seed}`, slug(d.name));
        const stage = d.stage(run.recipe);
        if (existsSync(join(dir, 'run.json'))) target = await reuseRun(dir, defendedRecipe(run.recipe, stage));
        else if (o.collect) {
          skip(d.name, seed, 'defense not run yet');
          continue;
        } else {
          o.onStep?.(`seed ${seed}: ${d.name}`);
          target = await defend(run, { stage }, { ...o, out: dir });
        }
        cost = (target.metrics.stages.at(-1)?.seconds ?? 0) / run.metrics.trainSeconds;
      }
      const auditDir = join(target.dir, study ? `audit-refs${refs}` : 'audit');
      let a = readAudit(auditDir);
      if (!a && o.collect) {
        skip(d.name, seed, 'not audited yet');
        continue;
      }
      if (!a) {
        o.onStep?.(`seed ${seed}: audit ${d.name}`);
        const studyOptions = study ? { refBlock: study[0], attacks: REFS_ATTACKS } : { attacks: BENCH_ATTACKS };
        a = await audit(target, { ...o, refs, out: auditDir, workers: o.workers, ...studyOptions, ...(o.queries ? { queries: o.queries } : {}) });
      }
      const queries = (a.settings as { queries?: number }).queries;
      rows.push({
        defense: d.name,
        seed,
        testAccuracy: a.target.testAccuracy,
        trainAccuracy: a.target.trainAccuracy,
        relativeCost: cost,
        attacks: Object.fromEntries(
          (await withIntervals(auditDir, a)).map((x) => [
            x.name,
            {
              auc: x.metrics.auc,
              tprAt0_1pct: x.metrics.tprAt0_1pct,
              tprAt1pct: x.metrics.tprAt1pct,
              ...(x.intervals ? { intervals: { auc: x.intervals.auc, tprAt0_1pct: x.intervals.tprAt0_1pct.bootstrap } } : {}),
            },
          ]),
        ),
        ...(d.sweep ? { sweep: d.sweep } : {}),
        ...(d.grid ? { grid: d.grid } : {}),
        queries: queries ?? 1,
        ...(study ? { refs, ...referenceCost(a) } : {}),
      });
      await o.onRow?.({ rows: [...rows], missing: [...missing], planned });
    }
  }
  return { rows, missing, planned };
}

