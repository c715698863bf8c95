// `bench`: the privacy-utility table (paper Table 3 style): every defense on the same footing, several
// seeds, each audited by reference models that replay it (adaptive attacker). Rows per dataset family and
// the sensitivity sweep are in bench-rows.ts. Resumable: finished runs and audits are reused, reference
// models are cached, and `collect` builds the table from what is finished without training anything.
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import type { Recipe } from '../train/index.ts';
import type { AttackName } from '../attacks/index.ts';
import type { LoadOptions } from '../data/index.ts';
import { audit, type AuditJson } from './audit.ts';
import { defend } from './defend.ts';
import { reuseRun, train, type Run } from './run.ts';
import { InputError } from '../util/errors.ts';
import { benchDefenses, dpModel, objectiveMissing, sweepRows, type BenchDefense, type SweepParam } from './bench-rows.ts';
import { CWRF_DEFAULTS } from '../defenses/index.ts';

export { benchDefenses, benchPlan, dpModel, datasetFamily, imageRows, planHours, tabularRows, sweepRows, DP_EPOCH_FACTOR, SWEEP, SWEPT_ROWS, sweepLabel } from './bench-rows.ts';
export type { BenchDefense, BenchPlan, DatasetFamily, SweepParam } from './bench-rows.ts';

export const BENCH_ATTACKS: AttackName[] = ['lira-online-fixed', 'rmia-online', 'loss'];

export interface BenchRow {
  defense: string;
  seed: number;
  testAccuracy: number;
  trainAccuracy: number;
  /** Defense wall time over the base model's training time (a stage only; 1 + extra for retraining). */
  relativeCost: number;
  attacks: Record<string, { auc: number; tprAt0_1pct: number; tprAt1pct: number }>;
  /** Sensitivity point: the main row it varies, the parameter and its value. */
  sweep?: { of: string; param: SweepParam; value: number };
  /** LiRA queries per example in the audit (1 when the audit does not record any). */
  queries?: number;
}

export interface BenchOptions extends LoadOptions {
  out: string;
  seeds: number[];
  refs: number;
  workers?: number;
  ftEpochs?: number;
  /** Row ids (slugs of the row names) to run; all rows when absent. */
  only?: string[];
  /** Sensitivity sweep: also run the swept rows with these parameters moved off their defaults. */
  sweep?: SweepParam[];
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

/** Everything the table asks for: rows, and the (row, seed) cells not done. */
export interface BenchResult {
  rows: BenchRow[];
  missing: { defense: string; seed: number | null; why: string }[];
  planned: number;
}

function readAudit(dir: string): AuditJson | null {
  const f = join(dir, 'audit.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as AuditJson) : null;
}

/** A row's directory name and its id for `only`. */
export const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** The rows `o` selects (main table, then sweep points), checked against the family's row set. */
export function selectDefenses(dataset: string, o: Pick<BenchOptions, 'only' | 'ftEpochs' | 'sweep'>): BenchDefense[] {
  const all = benchDefenses(dataset, o.ftEpochs);
  const unknown = (o.only ?? []).filter((n) => !all.some((d) => slug(d.name) === n));
  if (unknown.length) throw new InputError(`unknown bench row '${unknown[0]}' (rows: ${all.map((d) => slug(d.name)).join(', ')})`);
  const main = all.filter((d) => !o.only || o.only.includes(slug(d.name)));
  const sweep = o.sweep?.length ? sweepRows(main, o.sweep, { ratio: CWRF_DEFAULTS.ratio, lambda: CWRF_DEFAULTS.pve.lambda }) : [];
  return [...main, ...sweep];
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
  };
}

/** Runs (or resumes: finished runs and audits are reused) the whole table; seeds outermost, so a partial table has every row of the first seed first. */
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
  const planned = defenses.length * o.seeds.length;
  for (const seed of o.seeds) {
    for (const d of defenses) {
      const baseRecipe = baseRecipeOf(base, d, seed);
      const tag = d.dp ? `dpsgd${baseRecipe.model.norm && baseRecipe.model.norm !== base.model.norm ? `-${baseRecipe.model.norm}norm` : ''}` : d.base.name;
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
        if (existsSync(join(dir, 'run.json'))) target = await reuseRun(dir, { ...run.recipe, defenses: [...run.recipe.defenses, stage] });
        else if (o.collect) {
          skip(d.name, seed, 'defense not run yet');
          continue;
        } else {
          o.onStep?.(`seed ${seed}: ${d.name}`);
          target = await defend(run, { stage }, { ...o, out: dir });
        }
        cost = (target.metrics.stages.at(-1)?.seconds ?? 0) / run.metrics.trainSeconds;
      }
      const auditDir = join(target.dir, 'audit');
      let a = readAudit(auditDir);
      if (!a && o.collect) {
        skip(d.name, seed, 'not audited yet');
        continue;
      }
      if (!a) {
        o.onStep?.(`seed ${seed}: audit ${d.name}`);
        a = await audit(target, { ...o, refs: o.refs, out: auditDir, workers: o.workers, attacks: BENCH_ATTACKS, ...(o.queries ? { queries: o.queries } : {}) });
      }
      const queries = (a.settings as { queries?: number }).queries;
      rows.push({
        defense: d.name,
        seed,
        testAccuracy: a.target.testAccuracy,
        trainAccuracy: a.target.trainAccuracy,
        relativeCost: cost,
        attacks: Object.fromEntries(a.attacks.map((x) => [x.name, { auc: x.metrics.auc, tprAt0_1pct: x.metrics.tprAt0_1pct, tprAt1pct: x.metrics.tprAt1pct }])),
        ...(d.sweep ? { sweep: d.sweep } : {}),
        queries: queries ?? 1,
      });
      await o.onRow?.({ rows: [...rows], missing: [...missing], planned });
    }
  }
  return { rows, missing, planned };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
};

export interface BenchSummary {
  defense: string;
  seeds: number;
  cells: Record<string, [number, number]>;
  sweep?: BenchRow['sweep'];
}

/** Mean ± std over seeds per defense (rows in first-seen order). */
export function summarizeBench(rows: BenchRow[]): BenchSummary[] {
  const by = new Map<string, BenchRow[]>();
  for (const r of rows) by.set(r.defense, [...(by.get(r.defense) ?? []), r]);
  return [...by].map(([defense, rs]) => {
    const cells: Record<string, [number, number]> = {};
    const put = (k: string, xs: number[]) => (cells[k] = [mean(xs), sd(xs)]);
    put('testAccuracy', rs.map((r) => r.testAccuracy));
    put('trainAccuracy', rs.map((r) => r.trainAccuracy));
    put('relativeCost', rs.map((r) => r.relativeCost));
    for (const a of Object.keys(rs[0].attacks))
      for (const m of ['auc', 'tprAt0_1pct', 'tprAt1pct'] as const) put(`${a}.${m}`, rs.map((r) => r.attacks[a][m]));
    return { defense, seeds: rs.length, cells, ...(rs[0].sweep ? { sweep: rs[0].sweep } : {}) };
  });
}

const pct = (c: [number, number] | undefined) => (c ? `${(100 * c[0]).toFixed(2)} ± ${(100 * c[1]).toFixed(2)}` : 'n/a');

/** The table as markdown (percentages, mean ± std over seeds); sweep points are left to `sweepMarkdown`. */
export function benchMarkdown(rows: BenchRow[]): string {
  const s = summarizeBench(rows.filter((r) => !r.sweep));
  const seedsCol = s.some((r) => r.seeds !== s[0].seeds);
  const head = `| defense |${seedsCol ? ' seeds |' : ''} test acc % | LiRA AUC % | LiRA TPR@0.1% | LiRA TPR@1% | RMIA AUC % | RMIA TPR@0.1% | loss-threshold AUC % | cost (x training) |`;
  const lines = [head, `|---|${seedsCol ? '---|' : ''}---|---|---|---|---|---|---|---|`];
  for (const r of s) {
    const c = r.cells;
    lines.push(
      `| ${r.defense} |${seedsCol ? ` ${r.seeds} |` : ''} ${pct(c.testAccuracy)} | ${pct(c['lira-online-fixed.auc'])} | ${pct(c['lira-online-fixed.tprAt0_1pct'])} | ${pct(c['lira-online-fixed.tprAt1pct'])} | ${pct(c['rmia-online.auc'])} | ${pct(c['rmia-online.tprAt0_1pct'])} | ${pct(c['loss.auc'])} | ${c.relativeCost[0].toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

/** The sensitivity table: each swept row at every sweep value (the default value is the main row). */
export function sweepMarkdown(rows: BenchRow[], defaults: { ratio: number; lambda: number }): string {
  const all = summarizeBench(rows);
  const points = sweepPoints(all, defaults);
  if (!points.length) return '';
  const lines = ['| defense | parameter | value | seeds | test acc % | LiRA AUC % | LiRA TPR@0.1% | RMIA AUC % |', '|---|---|---|---|---|---|---|---|'];
  for (const p of points)
    lines.push(
      `| ${p.of} | ${p.param} | ${p.param === 'ratio' ? `${+(p.value * 100).toFixed(3)}%` : p.value}${p.isDefault ? ' (default)' : ''} | ${p.row.seeds} | ${pct(p.row.cells.testAccuracy)} | ${pct(p.row.cells['lira-online-fixed.auc'])} | ${pct(p.row.cells['lira-online-fixed.tprAt0_1pct'])} | ${pct(p.row.cells['rmia-online.auc'])} |`,
    );
  return lines.join('\n');
}

/** Sweep points with the main row standing in at the default value, sorted by row, parameter, value. */
export function sweepPoints(s: BenchSummary[], defaults: { ratio: number; lambda: number }): { of: string; param: SweepParam; value: number; isDefault: boolean; row: BenchSummary }[] {
  const swept = s.filter((r) => r.sweep);
  const out: ReturnType<typeof sweepPoints> = [];
  for (const r of swept) out.push({ of: r.sweep!.of, param: r.sweep!.param, value: r.sweep!.value, isDefault: false, row: r });
  const pairs = new Set(swept.map((r) => `${r.sweep!.of}\u0000${r.sweep!.param}`));
  for (const key of pairs) {
    const [of, param] = key.split('\u0000') as [string, SweepParam];
    const main = s.find((r) => r.defense === of && !r.sweep);
    if (main) out.push({ of, param, value: defaults[param], isDefault: true, row: main });
  }
  return out.sort((a, b) => a.of.localeCompare(b.of) || a.param.localeCompare(b.param) || a.value - b.value);
}
