// The privacy-utility table's numbers: mean ± std over seeds per defense, the table and the sensitivity sweep
// as markdown. Pure functions of the rows (no engine), shared by the bench page, the doc and the command.
import type { BenchRow, GridTag, SeedInterval, SweepParam } from '../studies/results.ts';
import { mean, sampleStd } from './stats.ts';

export type { BenchResult, BenchRow, GridTag, SeedInterval, SweepParam } from '../studies/results.ts';

const sd = sampleStd;

export interface BenchSummary {
  defense: string;
  seeds: number;
  cells: Record<string, [number, number]>;
  sweep?: BenchRow['sweep'];
  grid?: GridTag;
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
    return { defense, seeds: rs.length, cells, ...(rs[0].sweep ? { sweep: rs[0].sweep } : {}), ...(rs[0].grid ? { grid: rs[0].grid } : {}) };
  });
}

const pct = (c: [number, number] | undefined) => (c ? `${(100 * c[0]).toFixed(2)}${Number.isNaN(c[1]) ? '' : ` ± ${(100 * c[1]).toFixed(2)}`}` : 'n/a');

/** The table as markdown (percentages, mean ± std over seeds); sweep points are left to `sweepMarkdown`. */
export function benchMarkdown(rows: BenchRow[]): string {
  const s = summarizeBench(rows.filter((r) => !r.sweep && !r.grid));
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
  const points = sweepPoints(rows, defaults);
  if (!points.length) return '';
  const lines = ['| defense | parameter | value | seeds | test acc % | LiRA AUC % | LiRA TPR@0.1% | RMIA AUC % |', '|---|---|---|---|---|---|---|---|'];
  for (const p of points)
    lines.push(
      `| ${p.of} | ${p.param} | ${p.param === 'ratio' ? `${+(p.value * 100).toFixed(3)}%` : p.value}${p.isDefault ? ' (default)' : ''} | ${p.row.seeds} | ${pct(p.row.cells.testAccuracy)} | ${pct(p.row.cells['lira-online-fixed.auc'])} | ${pct(p.row.cells['lira-online-fixed.tprAt0_1pct'])} | ${pct(p.row.cells['rmia-online.auc'])} |`,
    );
  return lines.join('\n');
}

/**
 * Sweep points with the main row standing in at the default value, over the same seeds as the points it sits
 * among (a sweep run on seed 0 is compared with the main row's seed 0), sorted by row, parameter, value.
 */
export function sweepPoints(rows: BenchRow[], defaults: { ratio: number; lambda: number }): { of: string; param: SweepParam; value: number; isDefault: boolean; row: BenchSummary }[] {
  const swept = summarizeBench(rows.filter((r) => r.sweep));
  const out: ReturnType<typeof sweepPoints> = [];
  for (const r of swept) out.push({ of: r.sweep!.of, param: r.sweep!.param, value: r.sweep!.value, isDefault: false, row: r });
  const pairs = new Set(swept.map((r) => `${r.sweep!.of}\u0000${r.sweep!.param}`));
  for (const key of pairs) {
    const [of, param] = key.split('\u0000') as [string, SweepParam];
    const seeds = new Set(rows.filter((r) => r.sweep?.of === of && r.sweep.param === param).map((r) => r.seed));
    const main = summarizeBench(rows.filter((r) => r.defense === of && !r.sweep && seeds.has(r.seed)))[0];
    if (main) out.push({ of, param, value: defaults[param], isDefault: true, row: main });
  }
  return out.sort((a, b) => a.of.localeCompare(b.of) || a.param.localeCompare(b.param) || a.value - b.value);
}

const withCi = (v: number, iv: SeedInterval | undefined) => `${(100 * v).toFixed(2)}${iv ? ` [${(100 * iv.low).toFixed(2)}, ${(100 * iv.high).toFixed(2)}]` : ''}`;

/**
 * Every (row, seed) cell with its 95% bootstrap intervals (over members and non-members of that seed's audit):
 * the noise of one audit, which the seeds' spread in the main table does not show.
 */
export function perSeedMarkdown(rows: BenchRow[]): string {
  const lines = [
    '| defense | seed | test acc % | LiRA AUC % [95%] | LiRA TPR@0.1% [95%] | RMIA AUC % [95%] | RMIA TPR@0.1% [95%] |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const l = r.attacks['lira-online-fixed'];
    const m = r.attacks['rmia-online'];
    const cell = (a: BenchRow['attacks'][string] | undefined, k: 'auc' | 'tprAt0_1pct') => (a ? withCi(a[k], a.intervals?.[k]) : 'n/a');
    lines.push(`| ${r.defense} | ${r.seed} | ${(100 * r.testAccuracy).toFixed(2)} | ${cell(l, 'auc')} | ${cell(l, 'tprAt0_1pct')} | ${cell(m, 'auc')} | ${cell(m, 'tprAt0_1pct')} |`);
  }
  return lines.join('\n');
}

/** The trade-off grid as markdown: each point (and its control) with mean ± std over seeds. */
export function gridMarkdown(rows: BenchRow[]): string {
  const g = summarizeBench(rows.filter((r) => r.grid));
  if (!g.length) return '';
  const lines = [
    '| row | rewound | fine-tune epochs | fine-tune lr | seeds | test acc % | LiRA AUC % | LiRA TPR@0.1% | RMIA AUC % | RMIA TPR@0.1% |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of g) {
    const t = r.grid!;
    const c = r.cells;
    lines.push(
      `| ${t.control ? `${t.of} control (fine-tune-all)` : t.of} | ${t.control ? 'none' : t.ratio !== undefined ? `${+(t.ratio * 100).toFixed(3)}%` : 'default'} | ${t.epochs ?? 'default'} | ${t.lr ?? 'recipe'} | ${r.seeds} | ${pct(c.testAccuracy)} | ${pct(c['lira-online-fixed.auc'])} | ${pct(c['lira-online-fixed.tprAt0_1pct'])} | ${pct(c['rmia-online.auc'])} | ${pct(c['rmia-online.tprAt0_1pct'])} |`,
    );
  }
  return lines.join('\n');
}

/** One defended row against its base on the same seeds: per-seed differences (defended minus base) and whether the goal held. */
export interface GoalCheck {
  defense: string;
  base: string;
  seeds: number[];
  /** Per seed: test accuracy, LiRA AUC and TPR@0.1% differences, in fractions. */
  diffs: (PairedDiff & { met: boolean })[];
}

/** A paired difference on one seed, `r` minus `b`: test accuracy, LiRA AUC and TPR@0.1% (fractions). */
export interface PairedDiff {
  seed: number;
  acc: number;
  auc: number;
  tpr: number;
}

/** `r` minus `b` on LiRA (online, fixed variance); null when `b` is missing or either lacks the attack. */
function pairedDiff(r: BenchRow, b: BenchRow | undefined): PairedDiff | null {
  const l = r.attacks['lira-online-fixed'];
  const bl = b?.attacks['lira-online-fixed'];
  if (!b || !l || !bl) return null;
  return { seed: r.seed, acc: r.testAccuracy - b.testAccuracy, auc: l.auc - bl.auc, tpr: l.tprAt0_1pct - bl.tprAt0_1pct };
}

/** The goal (issue 25): lower LiRA AUC and TPR@0.1% than the base, at no more than `maxDrop` (1 point) of test accuracy. */
export function goalChecks(rows: BenchRow[], maxDrop = 0.01): GoalCheck[] {
  const out: GoalCheck[] = [];
  const names = [...new Set(rows.filter((r) => / \+ CWRF/.test(r.defense) && !r.grid?.control).map((r) => r.defense))];
  for (const defense of names) {
    const base = defense.replace(/ \+ CWRF.*$/, '');
    const diffs: GoalCheck['diffs'] = [];
    for (const r of rows.filter((x) => x.defense === defense)) {
      const d = pairedDiff(r, rows.find((x) => x.defense === base && x.seed === r.seed && !x.sweep && !x.grid));
      if (d) diffs.push({ ...d, met: d.auc < 0 && d.tpr < 0 && d.acc >= -maxDrop });
    }
    if (diffs.length) out.push({ defense, base, seeds: diffs.map((d) => d.seed), diffs });
  }
  return out;
}

const pts = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(2)}`;
/** Differences in points, mean ± sample sd over seeds, signed (e.g. '−1.51 ± 0.09'; one seed: no spread). */
export const meanSd = (xs: number[]): string => `${pts(mean(xs))}${xs.length > 1 ? ` ± ${(100 * sd(xs)).toFixed(2)}` : ''}`;
const PAIRED_HEAD = '| Δ test acc (points) | Δ LiRA AUC (points) | Δ LiRA TPR@0.1% (points) | per seed (Δacc / ΔAUC / ΔTPR) |';

/** Paired differences as table cells: mean ± std of each, then every seed's. */
function pairedCells(diffs: PairedDiff[]): string {
  const per = diffs.map((d) => `s${d.seed}: ${pts(d.acc)} / ${pts(d.auc)} / ${pts(d.tpr)}`).join('; ');
  return `${meanSd(diffs.map((d) => d.acc))} | ${meanSd(diffs.map((d) => d.auc))} | ${meanSd(diffs.map((d) => d.tpr))} | ${per} |`;
}

/** The goal check as markdown: per defended row, the paired per-seed differences and on how many seeds the goal held. */
export function goalMarkdown(rows: BenchRow[]): string {
  const checks = goalChecks(rows);
  if (!checks.length) return '';
  const lines = [`| defense | vs ${PAIRED_HEAD} goal met on |`, '|---|---|---|---|---|---|---|'];
  for (const c of checks) lines.push(`| ${c.defense} | ${c.base} | ${pairedCells(c.diffs)} ${c.diffs.filter((d) => d.met).length} of ${c.diffs.length} seeds |`);
  return lines.join('\n');
}

/** A CWRF grid point against its control (same base, fine-tune epochs and rate, nothing rewound), paired by seed. */
export interface RewindEffect {
  point: string;
  control: string;
  /** Per seed: point minus control. */
  diffs: PairedDiff[];
}

/** What rewinding the critical locations adds to the same fine-tune: every grid point minus its control, per seed. */
export function rewindEffects(rows: BenchRow[]): RewindEffect[] {
  const same = (a: GridTag, b: GridTag) => a.of === b.of && a.epochs === b.epochs && a.lr === b.lr;
  const out = new Map<string, RewindEffect>();
  for (const r of rows) {
    if (!r.grid || r.grid.control) continue;
    const c = rows.find((x) => x.grid?.control && same(x.grid, r.grid!) && x.seed === r.seed);
    const d = pairedDiff(r, c);
    if (!c || !d) continue;
    const e = out.get(r.defense) ?? { point: r.defense, control: c.defense, diffs: [] };
    e.diffs.push(d);
    out.set(r.defense, e);
  }
  return [...out.values()];
}

/** The rewind effects as markdown: differences in points (mean ± std over seeds) and per seed. */
export function rewindEffectMarkdown(rows: BenchRow[]): string {
  const effects = rewindEffects(rows);
  if (!effects.length) return '';
  const lines = [`| CWRF point | its control ${PAIRED_HEAD}`, '|---|---|---|---|---|---|'];
  for (const e of effects) lines.push(`| ${e.point} | ${e.control} | ${pairedCells(e.diffs)}`);
  return lines.join('\n');
}
