// The privacy-utility table's numbers: mean ± std over seeds per defense, and the table as markdown.

/** One row of the table: a defense on one seed. */
export interface BenchRow {
  defense: string;
  seed: number;
  testAccuracy: number;
  trainAccuracy: number;
  /** Defense wall time over the base model's training time (a stage only; 1 + extra for retraining). */
  relativeCost: number;
  attacks: Record<string, { auc: number; tprAt0_1pct: number; tprAt1pct: number }>;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
};

/** Mean ± std over seeds per defense. */
export function summarizeBench(rows: BenchRow[]): { defense: string; seeds: number; cells: Record<string, [number, number]> }[] {
  const by = new Map<string, BenchRow[]>();
  for (const r of rows) by.set(r.defense, [...(by.get(r.defense) ?? []), r]);
  return [...by].map(([defense, rs]) => {
    const cells: Record<string, [number, number]> = {};
    const put = (k: string, xs: number[]) => (cells[k] = [mean(xs), sd(xs)]);
    put(
      'testAccuracy',
      rs.map((r) => r.testAccuracy),
    );
    put(
      'trainAccuracy',
      rs.map((r) => r.trainAccuracy),
    );
    put(
      'relativeCost',
      rs.map((r) => r.relativeCost),
    );
    for (const a of Object.keys(rs[0].attacks))
      for (const m of ['auc', 'tprAt0_1pct', 'tprAt1pct'] as const)
        put(
          `${a}.${m}`,
          rs.map((r) => r.attacks[a][m]),
        );
    return { defense, seeds: rs.length, cells };
  });
}

/** The table as markdown (percentages, mean ± std over seeds). */
export function benchMarkdown(rows: BenchRow[]): string {
  const s = summarizeBench(rows);
  const pct = (c: [number, number]) => `${(100 * c[0]).toFixed(2)} ± ${(100 * c[1]).toFixed(2)}`;
  const head =
    '| defense | test acc % | LiRA AUC % | LiRA TPR@0.1% | LiRA TPR@1% | RMIA AUC % | RMIA TPR@0.1% | loss-threshold AUC % | cost (x training) |';
  const lines = [head, '|---|---|---|---|---|---|---|---|---|'];
  for (const r of s) {
    const c = r.cells;
    lines.push(
      `| ${r.defense} | ${pct(c.testAccuracy)} | ${pct(c['lira-online-fixed.auc'])} | ${pct(c['lira-online-fixed.tprAt0_1pct'])} | ${pct(c['lira-online-fixed.tprAt1pct'])} | ${pct(c['rmia-online.auc'])} | ${pct(c['rmia-online.tprAt0_1pct'])} | ${pct(c['loss.auc'])} | ${c.relativeCost[0].toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}
