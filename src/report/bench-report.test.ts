import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderBenchReport } from './bench-report.ts';
import type { BenchRow } from './bench-summary.ts';

const at = (defense: string, seed: number, acc: number, auc: number, tpr: number, grid?: BenchRow['grid']): BenchRow => ({
  defense,
  seed,
  testAccuracy: acc,
  trainAccuracy: 0.9,
  relativeCost: 1,
  attacks: { 'lira-online-fixed': { auc, tprAt0_1pct: tpr, tprAt1pct: 0.1 }, 'rmia-online': { auc, tprAt0_1pct: tpr, tprAt1pct: 0.1 } },
  ...(grid ? { grid } : {}),
});

test('bench page: the trade-off grid as points, as each group\'s Pareto-front curve, and the rewind effect against the controls', async () => {
  const of = 'RelaxLoss + CWRF';
  const rows: BenchRow[] = [
    at('none', 0, 0.57, 0.85, 0.055),
    at('RelaxLoss', 0, 0.526, 0.627, 0.007),
    at('RelaxLoss + CWRF {r 0.1%, 2 ep, lr recipe}', 0, 0.533, 0.646, 0.0104, { of, control: false, ratio: 0.001, epochs: 2 }),
    at('RelaxLoss + fine-tune-all {2 ep, lr recipe}', 0, 0.54, 0.66, 0.012, { of, control: true, epochs: 2 }),
    // dominated by the 2-epoch point (lower accuracy, higher AUC): on the scatter, not on the curve
    at('RelaxLoss + CWRF {r 0.1%, 5 ep, lr recipe}', 0, 0.53, 0.7, 0.02, { of, control: false, ratio: 0.001, epochs: 5 }),
  ];
  const html = await renderBenchReport(rows, 't', 's');
  for (const title of ['Trade-off: LiRA AUC vs accuracy', 'Trade-off curves: LiRA TPR at 0.1% FPR', 'Trade-off curves: LiRA AUC'])
    assert.ok(html.includes(title), `missing chart '${title}'`);
  assert.match(html, /what rewinding adds to the same fine-tune/);
  // the 2-epoch point minus its control: −0.70 points of accuracy, −1.40 of AUC (signed, as the markdown page)
  assert.match(html, /RelaxLoss \+ CWRF \{r 0\.1%, 2 ep, lr recipe\}<\/td><td>RelaxLoss \+ fine-tune-all \{2 ep, lr recipe\}<\/td><td[^>]*>1<\/td><td[^>]*>−0\.70<\/td><td[^>]*>−1\.40<\/td>/);
});
