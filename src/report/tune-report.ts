// The `cwrf tune` page (tune.html): the verdict on the fresh audit, the privacy-utility front of every candidate
// the search measured (validation accuracy vs the goal metric, the chosen point and the bases marked), and the
// search's rungs. The search's numbers are optimistic (the minimum of noisy estimates); the fresh audit's are not.
import { scatterChart } from './charts.ts';
import { esc, figure, fmtPct, grid, page, table } from './html.ts';

/** What the page shows of a search (tune.json has these fields). */
export interface TuneReportInput {
  run: string;
  goalLabel: string;
  goalMax?: number;
  maxAccuracyDrop: number;
  baseValidationAccuracy: number;
  candidates: { id: string; label: string; baseline: boolean; reached: number; rungs: { refs: number; accuracy: number; metric: number; testAccuracy: number }[] }[];
  front: string[];
  chosen: string | null;
  searchMeetsGoal: boolean | null;
  fresh: { id: string; label: string; testAccuracy: number; metric: number; auc: number; tprAt0_1pct: number; refs: number }[];
  freshMeetsGoal: boolean | null;
  schedule: { candidates: number; refs: number }[];
}

const rate = (x: number) => fmtPct(x, Math.abs(x) < 0.01 && x !== 0 ? 2 : 1);

/** The verdict in one sentence, from the fresh audit. */
export function tuneVerdict(t: TuneReportInput): string {
  if (!t.chosen) return `No candidate kept validation accuracy within ${(t.maxAccuracyDrop * 100).toFixed(1)} points of the undefended model's: nothing is recommended.`;
  const c = t.fresh.find((f) => f.id === t.chosen);
  const u = t.fresh.find((f) => f.id === 'undefended');
  if (!c || !u) return 'The fresh audit has not run yet.';
  const goal = t.goalMax === undefined ? '' : t.freshMeetsGoal ? ` It meets the goal (${t.goalLabel} <= ${rate(t.goalMax)}) on the fresh audit.` : ` It does not meet the goal (${t.goalLabel} <= ${rate(t.goalMax)}) on the fresh audit.`;
  return (
    `Chosen: ${c.label}. On a fresh audit (${c.refs} references with seeds the search never used; the untouched test set): ` +
    `${t.goalLabel} ${rate(c.metric)} against ${rate(u.metric)} undefended, test accuracy ${fmtPct(c.testAccuracy, 1)} against ${fmtPct(u.testAccuracy, 1)}.${goal}`
  );
}

/** Renders tune.html. */
export async function renderTuneReport(t: TuneReportInput): Promise<string> {
  const last = (c: TuneReportInput['candidates'][number]) => c.rungs.at(-1)!;
  const measured = t.candidates.filter((c) => c.rungs.length);
  const group = (c: TuneReportInput['candidates'][number]) => (c.id === t.chosen ? 'chosen' : t.front.includes(c.id) ? 'Pareto front' : c.baseline ? 'base defenses' : 'other candidates');
  const points = [
    ...measured.map((c) => ({ label: c.id === t.chosen ? c.label : '', x: last(c).accuracy, y: last(c).metric, group: group(c) })),
  ];
  const chart = await scatterChart(points, {
    title: `Candidates: validation accuracy vs ${t.goalLabel}`,
    subtitle: `the search's own estimates (each at the last rung it reached); budget: validation accuracy >= ${fmtPct(t.baseValidationAccuracy - t.maxAccuracyDrop, 1)}`,
    xTitle: 'validation accuracy',
    yTitle: t.goalLabel,
    xFormat: '.1%',
    yFormat: '%',
  });
  const fresh = table(
    ['model', 'test accuracy', t.goalLabel, 'AUC', 'TPR @ 0.1% FPR', 'references'],
    t.fresh.map((f) => [f.label + (f.id === t.chosen ? ' (chosen)' : ''), fmtPct(f.testAccuracy, 1), rate(f.metric), fmtPct(f.auc, 1), rate(f.tprAt0_1pct), f.refs]),
    { caption: 'Fresh audits: new reference seeds, the test set the search never read. These are the numbers to report.' },
  );
  const cands = table(
    ['candidate', 'rung reached', 'references', 'validation acc.', t.goalLabel, 'test acc. (not used to select)'],
    [...measured]
      .sort((a, b) => b.reached - a.reached || last(a).metric - last(b).metric)
      .map((c) => [c.label + (c.id === t.chosen ? ' (chosen)' : ''), c.reached + 1, last(c).refs, fmtPct(last(c).accuracy, 1), rate(last(c).metric), fmtPct(last(c).testAccuracy, 1)]),
    { caption: "The search's estimates: each candidate at the last rung it reached. Optimistic for the chosen one (it is the minimum of noisy estimates)." },
  );
  const rungs = t.schedule.map((r, i) => `rung ${i + 1}: ${r.candidates} candidates x ${r.refs} references`).join('; ');
  return page({
    title: `cwrf tune: ${t.run}`,
    subtitle: `${t.goalLabel}${t.goalMax !== undefined ? ` <= ${rate(t.goalMax)}` : ''}, at most ${(t.maxAccuracyDrop * 100).toFixed(1)} points of accuracy`,
    sections: [
      { heading: 'Verdict', html: `<div class="callout"><p>${esc(tuneVerdict(t))}</p></div>${fresh}` },
      { heading: 'Privacy-utility front', html: grid([figure(chart, 'Every candidate the search measured; the chosen point and the Pareto front marked.')]) },
      { heading: 'Search', html: `<p class="note">Successive halving, ${esc(rungs)}.</p>${cands}` },
    ],
  });
}
