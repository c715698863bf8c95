// The reference-count study's numbers (`cwrf bench --refs 8,16,32,64`): each attack's metrics per defense as the
// attacker gets more reference models, whether the ranking of the defenses holds (Kendall's tau-b against the
// largest count, and the pairs that flip), and what a reference costs. Pure functions of the bench rows.
import type { BenchRow, SeedInterval } from './bench-summary.ts';
import { mean, sampleStd } from './stats.ts';

/** The metrics the study follows. */
export const REFS_METRICS = ['auc', 'tprAt0_1pct'] as const;
export type RefsMetric = (typeof REFS_METRICS)[number];

/** One (defense, reference count, attack, metric) cell: mean and sample std over seeds, and the mean interval. */
export interface RefsCell {
  defense: string;
  refs: number;
  attack: string;
  metric: RefsMetric;
  mean: number;
  /** Sample std over seeds (NaN for one seed). */
  sd: number;
  seeds: number;
  /** Mean over seeds of each audit's 95% bootstrap interval (absent when the audits recorded none). */
  interval?: SeedInterval;
}

/** The ranking of the defenses at one count, compared with the ranking at the largest count. */
export interface RefsRanking {
  refs: number;
  attack: string;
  metric: RefsMetric;
  /** Defenses from most private (lowest metric) to least. */
  order: string[];
  /** Kendall's tau-b between this count's means and the largest count's (1: the same order). */
  tau: number;
  /** Pairs ordered the other way round at the largest count. */
  flips: [string, string][];
}

const sd = sampleStd;

/** The reference counts of the rows, ascending (rows without a count are not part of the study). */
export function refCounts(rows: BenchRow[]): number[] {
  return [...new Set(rows.flatMap((r) => (r.refs === undefined ? [] : [r.refs])))].sort((a, b) => a - b);
}

/** The attacks every row of the study carries, in the first row's order. */
export function refsAttacks(rows: BenchRow[]): string[] {
  const study = rows.filter((r) => r.refs !== undefined);
  if (!study.length) return [];
  return Object.keys(study[0].attacks).filter((a) => study.every((r) => r.attacks[a]));
}

/** Every (defense, count, attack, metric) cell, defenses in first-seen order. */
export function refsCells(rows: BenchRow[]): RefsCell[] {
  const study = rows.filter((r) => r.refs !== undefined);
  const defenses = [...new Set(study.map((r) => r.defense))];
  const cells: RefsCell[] = [];
  for (const attack of refsAttacks(study))
    for (const metric of REFS_METRICS)
      for (const defense of defenses)
        for (const refs of refCounts(study)) {
          const rs = study.filter((r) => r.defense === defense && r.refs === refs);
          if (!rs.length) continue;
          const xs = rs.map((r) => r.attacks[attack][metric]);
          const iv = rs.map((r) => r.attacks[attack].intervals?.[metric]);
          const interval = iv.every((x) => x !== undefined)
            ? { low: mean(iv.map((x) => x!.low)), high: mean(iv.map((x) => x!.high)) }
            : undefined;
          cells.push({ defense, refs, attack, metric, mean: mean(xs), sd: sd(xs), seeds: rs.length, ...(interval ? { interval } : {}) });
        }
  return cells;
}

/** Kendall's tau-b of two paired samples (ties in either handled as scipy.stats.kendalltau does); NaN when undefined. */
export function kendallTau(x: number[], y: number[]): number {
  if (x.length !== y.length) throw new Error(`kendallTau: ${x.length} and ${y.length} values`);
  let concordant = 0;
  let discordant = 0;
  let tiesX = 0;
  let tiesY = 0;
  for (let i = 0; i < x.length; i++)
    for (let j = i + 1; j < x.length; j++) {
      const dx = Math.sign(x[i] - x[j]);
      const dy = Math.sign(y[i] - y[j]);
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tiesX++;
      else if (dy === 0) tiesY++;
      else if (dx === dy) concordant++;
      else discordant++;
    }
  const denom = Math.sqrt((concordant + discordant + tiesX) * (concordant + discordant + tiesY));
  return denom === 0 ? NaN : (concordant - discordant) / denom;
}

/** For each count, attack and metric: the defenses' order and how it agrees with the largest count's. */
export function refsRankings(rows: BenchRow[]): RefsRanking[] {
  const cells = refsCells(rows);
  const counts = refCounts(rows);
  const top = counts.at(-1);
  const out: RefsRanking[] = [];
  for (const attack of refsAttacks(rows))
    for (const metric of REFS_METRICS) {
      const at = (refs: number) =>
        new Map(cells.filter((c) => c.attack === attack && c.metric === metric && c.refs === refs).map((c) => [c.defense, c.mean]));
      const last = at(top!);
      for (const refs of counts) {
        const here = at(refs);
        const both = [...here.keys()].filter((d) => last.has(d));
        const order = [...here.keys()].sort((a, b) => here.get(a)! - here.get(b)! || a.localeCompare(b));
        const flips: [string, string][] = [];
        for (let i = 0; i < both.length; i++)
          for (let j = i + 1; j < both.length; j++) {
            const [a, b] = [both[i], both[j]];
            if (Math.sign(here.get(a)! - here.get(b)!) * Math.sign(last.get(a)! - last.get(b)!) < 0)
              flips.push(here.get(a)! < here.get(b)! ? [a, b] : [b, a]);
          }
        out.push({
          refs,
          attack,
          metric,
          order,
          tau: kendallTau(
            both.map((d) => here.get(d)!),
            both.map((d) => last.get(d)!),
          ),
          flips,
        });
      }
    }
  return out;
}

/** What the references cost at each count: mean seconds per trained (not cached) reference, and the attacks' seconds. */
export function refsCost(
  rows: BenchRow[],
): { refs: number; secondsPerReference: number | null; attackSeconds: number | null; audits: number }[] {
  return refCounts(rows).map((refs) => {
    const rs = rows.filter((r) => r.refs === refs);
    const per = rs.flatMap((r) => (r.secondsPerReference === undefined ? [] : [r.secondsPerReference]));
    const att = rs.flatMap((r) => (r.attackSeconds === undefined ? [] : [r.attackSeconds]));
    return { refs, secondsPerReference: per.length ? mean(per) : null, attackSeconds: att.length ? mean(att) : null, audits: rs.length };
  });
}
