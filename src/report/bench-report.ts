// The `cwrf bench` page: the privacy-utility table and scatter plots.
import { summarizeBench, type BenchRow } from './bench-summary.ts';
import { scatterChart } from './charts.ts';
import { figure, fmtPct, grid, page, table } from './html.ts';

const NUMBERS = 'points numbered as the rows of the table';
const ZOOM = 0.05;

/** Renders bench rows (all seeds) as a self-contained HTML page. */
export async function renderBenchReport(rows: BenchRow[], title: string, subtitle: string): Promise<string> {
  const s = summarizeBench(rows);
  const pts = (key: string) => s.map((r, i) => ({ label: String(i + 1), x: r.cells.testAccuracy[0], y: r.cells[key]?.[0] ?? NaN, group: r.defense }));
  const best = Math.max(...s.map((r) => r.cells.testAccuracy[0]));
  const near = pts('lira-online-fixed.auc').filter((p) => p.x >= best - ZOOM);
  const charts = grid([
    figure(await scatterChart(pts('lira-online-fixed.tprAt0_1pct'), { title: 'LiRA TPR at 0.1% FPR vs accuracy', subtitle: NUMBERS, xTitle: 'test accuracy', yTitle: 'TPR @ 0.1% FPR', yLog: true })),
    figure(await scatterChart(pts('lira-online-fixed.auc'), { title: 'LiRA AUC vs accuracy', subtitle: NUMBERS, xTitle: 'test accuracy', yTitle: 'AUC' })),
    figure(await scatterChart(pts('rmia-online.auc'), { title: 'RMIA AUC vs accuracy', subtitle: NUMBERS, xTitle: 'test accuracy', yTitle: 'AUC' })),
    ...(near.length > 1 && near.length < s.length
      ? [figure(await scatterChart(near, { title: 'LiRA AUC vs accuracy, zoomed', subtitle: `defenses within ${ZOOM * 100} points of the best accuracy`, xTitle: 'test accuracy', yTitle: 'AUC' }))]
      : []),
  ]);
  const pm = (c: [number, number] | undefined, d = 1) => (c ? `${fmtPct(c[0], d)} ± ${fmtPct(c[1], d)}` : 'n/a');
  const t = table(
    ['#', 'defense', 'seeds', 'test acc', 'LiRA AUC', 'LiRA TPR@0.1%', 'LiRA TPR@1%', 'RMIA AUC', 'RMIA TPR@0.1%', 'loss AUC', 'cost (x training)'],
    s.map((r, i) => [
      i + 1,
      r.defense,
      r.seeds,
      pm(r.cells.testAccuracy),
      pm(r.cells['lira-online-fixed.auc']),
      pm(r.cells['lira-online-fixed.tprAt0_1pct'], 2),
      pm(r.cells['lira-online-fixed.tprAt1pct'], 2),
      pm(r.cells['rmia-online.auc']),
      pm(r.cells['rmia-online.tprAt0_1pct'], 2),
      pm(r.cells['loss.auc']),
      r.cells.relativeCost[0].toFixed(2),
    ]),
    { caption: 'mean ± std over seeds' },
  );
  return page({ title, subtitle, sections: [{ heading: 'Privacy-utility table', html: t }, { heading: 'Privacy vs utility', html: charts }] });
}
