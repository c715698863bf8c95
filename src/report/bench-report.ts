// The `cwrf bench` page: the privacy-utility table, scatter plots, and the sensitivity curves.
import { meanSd, rewindEffects, summarizeBench, sweepPoints, type BenchRow } from './bench-summary.ts';
import { paretoFront } from './pareto.ts';
import { lineChart, scatterChart } from './charts.ts';
import { figure, fmtPct, grid, page, table } from './html.ts';

const NUMBERS = 'points numbered as the rows of the table';
const ZOOM = 0.05;

const pm = (c: [number, number] | undefined, d = 1) => (c ? `${fmtPct(c[0], d)}${Number.isNaN(c[1]) ? '' : ` ± ${fmtPct(c[1], d)}`}` : 'n/a');

/** Privacy-utility curves over the sweep: per swept row and parameter, LiRA AUC (and TPR) against accuracy. */
async function sweepSection(rows: BenchRow[], defaults: { ratio: number; lambda: number }): Promise<string> {
  const points = sweepPoints(rows, defaults);
  if (!points.length) return '';
  const curves = new Map<string, typeof points>();
  for (const p of points) curves.set(`${p.of}, ${p.param}`, [...(curves.get(`${p.of}, ${p.param}`) ?? []), p]);
  const series = (key: string) =>
    [...curves].map(([name, ps]) => ({ name, x: ps.map((p) => p.row.cells.testAccuracy[0]), y: ps.map((p) => p.row.cells[key]?.[0] ?? NaN) }));
  const byParam = (param: 'ratio' | 'lambda', key: string) =>
    [...curves]
      .filter(([, ps]) => ps[0].param === param)
      .map(([name, ps]) => ({ name, x: ps.map((p) => p.value), y: ps.map((p) => p.row.cells[key]?.[0] ?? NaN) }));
  const charts = grid([
    figure(await lineChart(series('lira-online-fixed.auc'), { title: 'Privacy-utility curves: LiRA AUC vs accuracy', subtitle: 'one curve per row and swept parameter', xTitle: 'test accuracy', yTitle: 'LiRA AUC' })),
    figure(await lineChart(series('lira-online-fixed.tprAt0_1pct'), { title: 'LiRA TPR@0.1% FPR vs accuracy', xTitle: 'test accuracy', yTitle: 'TPR @ 0.1% FPR' })),
    ...(byParam('ratio', 'lira-online-fixed.auc').length
      ? [figure(await lineChart(byParam('ratio', 'lira-online-fixed.auc'), { title: 'LiRA AUC vs rewind ratio r', xTitle: 'r (fraction rewound)', yTitle: 'LiRA AUC', xLog: true }))]
      : []),
    ...(byParam('lambda', 'lira-online-fixed.auc').length
      ? [figure(await lineChart(byParam('lambda', 'lira-online-fixed.auc'), { title: 'LiRA AUC vs PVE lambda', xTitle: 'lambda', yTitle: 'LiRA AUC' }))]
      : []),
  ]);
  const t = table(
    ['defense', 'parameter', 'value', 'seeds', 'test acc', 'LiRA AUC', 'LiRA TPR@0.1%', 'RMIA AUC'],
    points.map((p) => [
      p.of,
      p.param,
      `${p.param === 'ratio' ? fmtPct(p.value, 1) : p.value}${p.isDefault ? ' (default)' : ''}`,
      p.row.seeds,
      pm(p.row.cells.testAccuracy),
      pm(p.row.cells['lira-online-fixed.auc']),
      pm(p.row.cells['lira-online-fixed.tprAt0_1pct'], 2),
      pm(p.row.cells['rmia-online.auc']),
    ]),
    { caption: 'one parameter moved off its default at a time; the default point is the main row' },
  );
  return t + charts;
}

/** The trade-off grid: every CWRF point and its controls against accuracy, the base defenses as points. */
async function gridSection(rows: BenchRow[], main: ReturnType<typeof summarizeBench>): Promise<string> {
  const g = summarizeBench(rows.filter((r) => r.grid));
  if (!g.length) return '';
  const bases = new Set(g.map((r) => r.grid!.of.replace(/ \+ CWRF.*$/, '')));
  const points = (key: string) => [
    ...g.map((r) => ({ label: '', x: r.cells.testAccuracy[0], y: r.cells[key]?.[0] ?? NaN, group: r.grid!.control ? `${r.grid!.of.replace(/ \+ CWRF.*$/, '')} + fine-tune (control)` : r.grid!.of })),
    ...main.filter((r) => bases.has(r.defense) || r.defense === 'none').map((r) => ({ label: r.defense, x: r.cells.testAccuracy[0], y: r.cells[key]?.[0] ?? NaN, group: `${r.defense} (base)` })),
  ];
  /** Per group, its Pareto front (no point of the group has higher accuracy and a lower leak), by accuracy; bases alone. */
  const curves = (key: string) => {
    const by = new Map<string, { id: string; accuracy: number; metric: number }[]>();
    for (const [i, p] of points(key).entries())
      if (Number.isFinite(p.x) && Number.isFinite(p.y)) by.set(p.group, [...(by.get(p.group) ?? []), { id: String(i), accuracy: p.x, metric: p.y }]);
    return [...by].map(([name, ps]) => {
      const front = paretoFront(ps).reverse();
      return { name, x: front.map((p) => p.accuracy), y: front.map((p) => p.metric) };
    });
  };
  const sub = 'each curve: the best trade-offs its grid points reach (Pareto front); the bases as points';
  const charts = grid([
    figure(await scatterChart(points('lira-online-fixed.tprAt0_1pct'), { title: 'Trade-off: LiRA TPR at 0.1% FPR vs accuracy', subtitle: 'grid points, their controls, and the bases', xTitle: 'test accuracy', yTitle: 'TPR @ 0.1% FPR', yLog: true })),
    figure(await scatterChart(points('lira-online-fixed.auc'), { title: 'Trade-off: LiRA AUC vs accuracy', subtitle: 'grid points, their controls, and the bases', xTitle: 'test accuracy', yTitle: 'AUC' })),
    figure(await lineChart(curves('lira-online-fixed.tprAt0_1pct'), { title: 'Trade-off curves: LiRA TPR at 0.1% FPR', subtitle: sub, xTitle: 'test accuracy', yTitle: 'TPR @ 0.1% FPR', yLog: true })),
    figure(await lineChart(curves('lira-online-fixed.auc'), { title: 'Trade-off curves: LiRA AUC', subtitle: sub, xTitle: 'test accuracy', yTitle: 'AUC' })),
  ]);
  const t = table(
    ['row', 'rewound', 'epochs', 'lr', 'seeds', 'test acc', 'LiRA AUC', 'LiRA TPR@0.1%', 'RMIA AUC'],
    g.map((r) => {
      const x = r.grid!;
      return [
        x.control ? `${x.of} control` : x.of,
        x.control ? 'none' : x.ratio !== undefined ? fmtPct(x.ratio, 1) : 'default',
        x.epochs ?? 'default',
        String(x.lr ?? 'recipe'),
        r.seeds,
        pm(r.cells.testAccuracy),
        pm(r.cells['lira-online-fixed.auc']),
        pm(r.cells['lira-online-fixed.tprAt0_1pct'], 2),
        pm(r.cells['rmia-online.auc']),
      ];
    }),
    { caption: 'mean ± std over seeds; a control is the same fine-tune with nothing rewound' },
  );
  const effects = rewindEffects(rows);
  const e = effects.length
    ? table(
        ['CWRF point', 'its control', 'seeds', 'Δ test acc (points)', 'Δ LiRA AUC (points)', 'Δ LiRA TPR@0.1% (points)'],
        effects.map((x) => [x.point, x.control, x.diffs.length, meanSd(x.diffs.map((y) => y.acc)), meanSd(x.diffs.map((y) => y.auc)), meanSd(x.diffs.map((y) => y.tpr))]),
        { caption: 'what rewinding adds to the same fine-tune: point minus control on the same seed (mean ± std over seeds)' },
      )
    : '';
  return charts + t + e;
}

/** Renders bench rows (all seeds) as a self-contained HTML page. */
export async function renderBenchReport(rows: BenchRow[], title: string, subtitle: string, defaults = { ratio: 0.001, lambda: 0.5 }): Promise<string> {
  const all = summarizeBench(rows);
  const s = all.filter((r) => !r.sweep && !r.grid);
  if (!s.length) return page({ title, subtitle, sections: [{ heading: 'Privacy-utility table', html: '<p>No row is finished yet.</p>' }] });
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
  const sweep = await sweepSection(rows, defaults);
  const tradeoff = await gridSection(rows, s);
  return page({
    title,
    subtitle,
    sections: [
      { heading: 'Privacy-utility table', html: t },
      { heading: 'Privacy vs utility', html: charts },
      ...(sweep ? [{ heading: 'Sensitivity: rewind ratio and PVE lambda', html: sweep }] : []),
      ...(tradeoff ? [{ heading: 'Trade-off grid: does rewinding move the curve?', html: tradeoff }] : []),
    ],
  });
}
