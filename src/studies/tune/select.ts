// How `cwrf tune` ranks candidates (the privacy-utility Pareto front is report/pareto.ts): the order successive halving keeps them
// in (inside the accuracy budget first, then the lowest goal metric, then the highest accuracy).
import type { Scored } from '../../report/pareto.ts';

/**
 * The ranking successive halving keeps the top of: candidates within the accuracy budget (`minAccuracy`) before
 * the others; inside, the lowest goal metric first (ties: higher accuracy, then id, so the order is total and the
 * same on every rerun); outside, the highest accuracy first (the nearest to the budget).
 */
export function rank<T extends Scored>(xs: T[], minAccuracy: number): T[] {
  const ok = (x: T) => x.accuracy >= minAccuracy;
  return [...xs].sort((a, b) => {
    if (ok(a) !== ok(b)) return ok(a) ? -1 : 1;
    if (ok(a)) return a.metric - b.metric || b.accuracy - a.accuracy || a.id.localeCompare(b.id);
    return b.accuracy - a.accuracy || a.metric - b.metric || a.id.localeCompare(b.id);
  });
}

/** The candidate to choose: the best ranked one inside the budget that meets the goal, else the best inside the budget, else none. */
export function choose<T extends Scored>(xs: T[], minAccuracy: number, maxMetric = Infinity): { chosen: T | null; meetsGoal: boolean } {
  const r = rank(xs, minAccuracy).filter((x) => x.accuracy >= minAccuracy);
  if (!r.length) return { chosen: null, meetsGoal: false };
  return { chosen: r[0], meetsGoal: r[0].metric <= maxMetric };
}

/** A successive-halving schedule: per rung, how many candidates it measures and with how many reference models. */
export interface Rung {
  candidates: number;
  refs: number;
}

/**
 * Successive halving (Jamieson & Talwalkar 2016): start `n` candidates with `minRefs` reference models, keep the best
 * 1/eta at each rung and give them eta times the references, up to `maxRefs`. Reference counts stay even (a
 * balanced design needs halves) and at least 2.
 */
export function halvingSchedule(n: number, minRefs: number, maxRefs: number, eta = 2): Rung[] {
  const rungs: Rung[] = [];
  let c = n;
  let refs = minRefs;
  for (;;) {
    rungs.push({ candidates: c, refs });
    if (c <= 1 || refs >= maxRefs) break;
    c = Math.max(1, Math.ceil(c / eta));
    refs = Math.min(maxRefs, Math.max(refs + 2, 2 * Math.round((refs * eta) / 2)));
  }
  return rungs;
}

/**
 * The models a schedule trains: each candidate's defended target once, and at every rung its references; with a
 * nested reference design a promoted candidate trains only the references its new rung adds.
 */
export function scheduleCost(rungs: Rung[], nested: boolean): number {
  let total = rungs[0]?.candidates ?? 0;
  let prev = 0;
  for (const r of rungs) {
    total += r.candidates * (nested ? r.refs - prev : r.refs);
    prev = r.refs;
  }
  return total;
}
