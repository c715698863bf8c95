// The page of the reference-count study (`cwrf bench --refs 8,16,32,64`): per attack and metric, each defense's
// value as the attacker gets more references (markdown tables and line charts), whether the defenses' ranking
// holds, and what the references cost.
import type { BenchRow } from './bench-summary.ts';
import { lineChart } from './charts.ts';
import { figure, grid, page, table } from './html.ts';
import { refCounts, refsAttacks, refsCells, refsCost, refsRankings, REFS_METRICS, type RefsCell, type RefsMetric } from './refs-summary.ts';

/** What the page says about its run (the bench page's header fields). */
export interface RefsDocInput {
  dataset: string;
  command: string;
  machine: string;
  minutes: number;
  recipe: string;
  /** Whether every planned cell is in. */
  complete: boolean;
  planned: number;
  rows: BenchRow[];
}

const METRIC_TEXT: Record<RefsMetric, string> = { auc: 'AUC', tprAt0_1pct: 'TPR at 0.1% FPR' };
const pct = (x: number, d: number) => (Number.isFinite(x) ? (x * 100).toFixed(d) : '–');
const digits = (m: RefsMetric) => (m === 'auc' ? 1 : 2);

function cellText(c: RefsCell | undefined): string {
  if (!c) return '';
  const d = digits(c.metric);
  const spread = Number.isFinite(c.sd) ? ` ± ${pct(c.sd, d)}` : '';
  const iv = c.interval ? ` [${pct(c.interval.low, d)}, ${pct(c.interval.high, d)}]` : '';
  return `${pct(c.mean, d)}${spread}${iv}`;
}

/** One markdown table per attack and metric: defenses x reference counts. */
export function refsMarkdown(rows: BenchRow[]): string {
  const cells = refsCells(rows);
  const counts = refCounts(rows);
  const defenses = [...new Set(cells.map((c) => c.defense))];
  const out: string[] = [];
  for (const attack of refsAttacks(rows))
    for (const metric of REFS_METRICS) {
      out.push(`### ${attack}: ${METRIC_TEXT[metric]} (%)`, '');
      out.push(`| defense | ${counts.map((n) => `${n} refs`).join(' | ')} |`, `|---|${counts.map(() => '---').join('|')}|`);
      for (const d of defenses) {
        const at = (n: number) => cells.find((c) => c.defense === d && c.refs === n && c.attack === attack && c.metric === metric);
        out.push(`| ${d} | ${counts.map((n) => cellText(at(n))).join(' | ')} |`);
      }
      out.push('');
    }
  return out.join('\n');
}

/** The ranking table: Kendall's tau-b of each count's order against the largest count's, and the pairs that flip. */
export function rankingMarkdown(rows: BenchRow[]): string {
  const counts = refCounts(rows);
  const rk = refsRankings(rows);
  const out = [
    `| attack | metric | ${counts.map((n) => `tau at ${n}`).join(' | ')} | pairs that flip (count: more private first) |`,
    `|---|---|${counts.map(() => '---').join('|')}|---|`,
  ];
  for (const attack of refsAttacks(rows))
    for (const metric of REFS_METRICS) {
      const these = rk.filter((r) => r.attack === attack && r.metric === metric);
      const flips = these.filter((r) => r.flips.length).map((r) => `${r.refs}: ${r.flips.map(([a, b]) => `${a} < ${b}`).join('; ')}`);
      out.push(
        `| ${attack} | ${METRIC_TEXT[metric]} | ${counts
          .map((n) => {
            const t = these.find((r) => r.refs === n)?.tau;
            return t === undefined || !Number.isFinite(t) ? '–' : t.toFixed(2);
          })
          .join(' | ')} | ${flips.join(' / ') || 'none'} |`,
      );
    }
  return out.join('\n');
}

/** The cost table: seconds per trained reference and of the attacks, per count. */
export function refsCostMarkdown(rows: BenchRow[]): string {
  const out = ['| references | audits | s per trained reference | s of the attacks (mean per audit) |', '|---|---|---|---|'];
  for (const c of refsCost(rows))
    out.push(
      `| ${c.refs} | ${c.audits} | ${c.secondsPerReference?.toFixed(1) ?? '– (all cached)'} | ${c.attackSeconds?.toFixed(1) ?? '–'} |`,
    );
  return out.join('\n');
}

/** The markdown page. */
export function refsDoc(d: RefsDocInput): string {
  const counts = refCounts(d.rows);
  const seeds = [...new Set(d.rows.map((r) => r.seed))].sort((a, b) => a - b);
  return [
    `# Reference-count study: ${d.dataset}${d.complete ? '' : ' (partial)'}`,
    '',
    d.complete
      ? 'Status: **complete**.'
      : `Status: **partial** — ${d.rows.length} of ${d.planned} (row, seed, references) cells finished. Continue (cached models are reused; set the same \`CWRF_CACHE_DIR\`): \`${d.command}\``,
    '',
    `Command: \`${d.command}\``,
    '',
    `Machine: ${d.machine}. Wall time of this invocation ${d.minutes.toFixed(1)} min.`,
    '',
    d.recipe,
    '',
    `Reference counts ${counts.join(', ')} in a nested design (each audit's references are the first ones of the next count's, so the counts share models and the cache); seeds ${seeds.join(', ')}; adaptive references (each replays the defense). Cells: mean ± std over seeds, then the mean of the audits' 95% bootstrap intervals in brackets, in %.`,
    '',
    '## Does the ranking of the defenses hold?',
    '',
    `Kendall's tau-b between the defenses' order at each count and at ${counts.at(-1)} references (1 = the same order); a flipped pair is listed as it stands at that count.`,
    '',
    rankingMarkdown(d.rows),
    '',
    '## What the references cost',
    '',
    refsCostMarkdown(d.rows),
    '',
    '## Metrics against the number of references',
    '',
    refsMarkdown(d.rows),
  ].join('\n');
}

/** The HTML page: one line chart per attack and metric (x: references, log scale), and the tables. */
export async function renderRefsReport(rows: BenchRow[], title: string, subtitle: string): Promise<string> {
  const cells = refsCells(rows);
  const defenses = [...new Set(cells.map((c) => c.defense))];
  const charts: string[] = [];
  for (const attack of refsAttacks(rows))
    for (const metric of REFS_METRICS) {
      const series = defenses.map((name) => {
        const cs = cells.filter((c) => c.defense === name && c.attack === attack && c.metric === metric);
        return { name, x: cs.map((c) => c.refs), y: cs.map((c) => c.mean) };
      });
      charts.push(
        figure(
          await lineChart(series, {
            title: `${attack}: ${METRIC_TEXT[metric]}`,
            xTitle: 'reference models',
            yTitle: METRIC_TEXT[metric],
            xLog: true,
            yFormat: '%',
          }),
        ),
      );
    }
  const cost = refsCost(rows);
  return page({
    title,
    subtitle,
    sections: [
      { heading: 'Metrics against the number of references', html: grid(charts) },
      {
        heading: 'What the references cost',
        html: table(
          ['references', 'audits', 's per trained reference', 's of the attacks'],
          cost.map((c) => [c.refs, c.audits, c.secondsPerReference?.toFixed(1) ?? '–', c.attackSeconds?.toFixed(1) ?? '–']),
        ),
      },
    ],
  });
}
