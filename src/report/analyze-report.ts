// The `cwrf analyze` page: concentration, entanglement, location vs value.
import { barChart, lineChart, scatterChart } from './charts.ts';
import { figure, fmtPct, grid, kv, page, table } from './html.ts';
import type { AnalyzeJson, VariantResult } from '../studies/results.ts';

export type { AnalyzeJson, VariantResult } from '../studies/results.ts';

/** The paper's Pearson r of PVE vs TFO per parameter type (shared/PAPER.md; its ViT row 'attention+MLP' is one group). */
export const PAPER_PVE_TFO: Record<string, Record<string, number>> = {
  ResNet18: { conv: 0.94, linear: 0.81, norm: 0.68 },
  ViT: { 'attention+mlp': 0.91, linear: 0.86, norm: 0.73 },
};
const paper = (model: string, type: string) => PAPER_PVE_TFO[model][type]?.toFixed(2) ?? '';

function variantRows(vs: VariantResult[]): (string | number)[][] {
  return vs.map((v) => [
    v.name,
    fmtPct(v.trainAccuracy),
    fmtPct(v.testAccuracy),
    fmtPct(v.attacks['lira-online-fixed']?.auc ?? NaN),
    fmtPct(v.attacks['lira-online-fixed']?.tprAt0_1pct ?? NaN, 2),
    fmtPct(v.attacks.loss?.auc ?? NaN),
  ]);
}
const HEAD = ['model', 'train acc', 'test acc', 'LiRA AUC', 'LiRA TPR@0.1%FPR', 'loss-threshold AUC'];

/** Renders analyze.json as a self-contained HTML page. */
export async function renderAnalyzeReport(a: AnalyzeJson): Promise<string> {
  const share = Object.entries(a.concentration.topShare);
  const sweep = a.concentration.sweep;
  const conc = grid([
    figure(await barChart(share.map(([k, v]) => ({ label: `top ${k}`, value: v })), { title: 'Share of the total PVE score', valueTitle: 'share', format: '.0%' })),
    figure(
      await lineChart(
        [
          { name: 'test accuracy', x: sweep.map((s) => s.ratio), y: sweep.map((s) => s.testAccuracy) },
          { name: 'LiRA AUC', x: sweep.map((s) => s.ratio), y: sweep.map((s) => s.attacks['lira-online-fixed']?.auc ?? NaN) },
          { name: 'loss-threshold AUC', x: sweep.map((s) => s.ratio), y: sweep.map((s) => s.attacks.loss?.auc ?? NaN) },
        ],
        { title: 'Rewinding only the top r (no fine-tune)', xTitle: 'fraction rewound (r)', yTitle: 'value', xLog: true },
      ),
    ),
  ]);
  const e = a.entanglement;
  const ent = grid([
    figure(
      await scatterChart(
        a.sample.pve.map((p, i) => ({ label: '', x: Math.log10(Math.max(p, 1e-12)), y: Math.log10(Math.max(a.sample.tfo[i], 1e-12)) })),
        { title: 'PVE vs TFO score (log10, random sample of weights)', xTitle: 'log10 PVE', yTitle: 'log10 TFO' },
      ),
    ),
  ]);
  return page({
    title: `cwrf analyze: ${a.run}`,
    subtitle: `critical ratio r = ${a.ratio}; ${a.audit === null ? 'accuracies only (no audit, no attacks)' : `attacks use the references of ${a.audit}`}`,
    sections: [
      {
        heading: '(i) Privacy vulnerability is concentrated',
        html:
          `<p>The attacks here use the run's own audit references, trained without the weight edit (a non-adaptive attacker); an
          adaptive audit (<code>cwrf defend</code> then <code>cwrf audit</code>) trains references that replay the edit and usually measures more leakage.</p>` +
          (a.skipped?.includes('sweep') ? '<p>The rewind sweep was skipped (<code>--skip sweep</code>).</p>' : '') +
          `<p>The top 0.1% / 1% / 10% of weights hold ${share.map(([, v]) => fmtPct(v)).join(' / ')} of the total PVE score.</p>` +
          conc +
          table(['r', ...HEAD.slice(1)], variantRows([a.baseline, ...sweep]).map((row, i) => [i ? String(sweep[i - 1].ratio) : '0 (as trained)', ...row.slice(1)]), { caption: 'Rewind the top r by PVE to initial values, no fine-tuning' }),
      },
      {
        heading: '(ii) Learnability and vulnerability are entangled',
        html:
          `<p>Pearson r between PVE and TFO scores: ${e.pearson.toFixed(3)}; Spearman: ${e.spearman.toFixed(3)} (paper, ResNet-18: conv 0.94, linear 0.81, norm 0.68).</p>` +
          table(
            ['parameter type', 'weights', 'Pearson', 'Spearman', 'paper Pearson, ResNet18', 'paper Pearson, ViT'],
            Object.entries(e.perType).map(([t, v]) => [t, v.weights, v.pearson.toFixed(3), v.spearman.toFixed(3), paper('ResNet18', t), paper('ViT', t)]),
            { caption: 'PVE vs TFO per parameter type (bias: 1-D parameters other than norms; mlp: the MLP of a transformer block; linear: the other linear layers)' },
          ) +
          kv(Object.fromEntries(Object.entries(e.topOverlap).map(([k, v]) => [`overlap of the top ${k} sets`, fmtPct(v)])), { caption: 'Top-r overlap of PVE and TFO' }) +
          ent,
      },
      {
        heading: '(iii) Location, not value',
        html:
          (a.skipped?.includes('location') ? '<p>Skipped (<code>--skip location</code>): only the run as trained is shown.</p>' : '') +
          table(HEAD, variantRows([a.baseline, ...a.locationVsValue]), { caption: `At equal r = ${a.ratio}` }),
      },
      {
        heading: '(iv) Are the critical weights the least moved from init?',
        html:
          `<p>Spearman r of the PVE score with |theta - theta0|: ${a.movement.spearman.toFixed(3)} (Pearson ${a.movement.pearson.toFixed(3)}); negative means the most vulnerable weights moved least.
          ${fmtPct(a.movement.leastMovedShare)} of the critical top ${fmtPct(a.ratio, 2)} lie in the ${fmtPct(a.movement.leastMovedFraction, 0)} least-moved weights
          (${fmtPct(a.movement.leastMovedFraction, 0)} if location and movement were independent).</p>` +
          table(
            ['parameter type', 'weights', 'Spearman r(PVE, |theta - theta0|)'],
            Object.entries(a.movement.perType).map(([t, v]) => [t, v.weights, v.spearman.toFixed(3)]),
          ),
      },
    ],
  });
}
