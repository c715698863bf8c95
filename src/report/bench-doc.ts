// The markdown page of `cwrf bench` (docs/bench-*.md): settings, status (complete or partial, with what is
// missing and the command that continues), the table and the sensitivity sweep.
import { benchMarkdown, goalMarkdown, gridMarkdown, perSeedMarkdown, rewindEffectMarkdown, sweepMarkdown, type BenchResult } from './bench-summary.ts';

export interface BenchDocInput {
  dataset: string;
  family: string;
  command: string;
  machine: string;
  minutes: number;
  recipe: string;
  settings: string;
  result: BenchResult;
  defaults: { ratio: number; lambda: number };
  /** Extra paragraphs (measured choices, cost estimate), verbatim. */
  notes?: string[];
}

/** Whether every planned (row, seed) cell is in the table. */
export const benchComplete = (r: BenchResult): boolean => r.rows.length >= r.planned && r.missing.length === 0;

/** The markdown page. */
export function benchDoc(d: BenchDocInput): string {
  const r = d.result;
  const complete = benchComplete(r);
  const notRun = r.missing.filter((m) => m.seed === null);
  const pending = r.missing.filter((m) => m.seed !== null);
  const status = complete
    ? 'Status: **complete**.'
    : [
        `Status: **partial** — ${r.rows.length} of ${r.planned} (row, seed) cells finished${notRun.length ? `; ${notRun.length} rows left out` : ''}.`,
        ...notRun.map((m) => `- left out: ${m.defense} (${m.why})`),
        ...(pending.length ? [`- not finished: ${summarizePending(pending)}`] : []),
        '',
        `Continue (finished runs, audits and cached reference models are reused; set the same \`CWRF_CACHE_DIR\`): \`${d.command}\``,
      ].join('\n');
  const sweep = sweepMarkdown(r.rows, d.defaults);
  const grid = gridMarkdown(r.rows);
  const goal = goalMarkdown(r.rows);
  const rewind = rewindEffectMarkdown(r.rows);
  return [
    `# Privacy-utility benchmark: ${d.dataset}${complete ? '' : ' (partial)'}`,
    '',
    status,
    '',
    `Command: \`${d.command}\``,
    '',
    `Machine: ${d.machine}. Wall time of this invocation ${d.minutes.toFixed(1)} min.`,
    '',
    `Rows: the ${d.family} row set. ${d.recipe}`,
    '',
    d.settings,
    '',
    ...(d.notes ?? []).flatMap((n) => [n, '']),
    r.rows.some((x) => !x.sweep) ? benchMarkdown(r.rows) : '(no row finished yet)',
    '',
    ...(sweep ? ['## Sensitivity: rewind ratio and PVE lambda', '', 'Each point moves one parameter off its default (the other stays at the default); the default point is the main row.', '', sweep, ''] : []),
    ...(grid
      ? [
          '## Trade-off grid: rewind ratio x fine-tune epochs x fine-tune learning rate',
          '',
          "Each CWRF point beside its control: the same fine-tune of the same base model with nothing rewound (fine-tune-all). If the control matches its CWRF points, the fine-tune alone moves the numbers, not rewinding the critical locations.",
          '',
          grid,
          '',
          ...(rewind
            ? [
                'What rewinding adds to the same fine-tune: each CWRF point minus its control on the same seed, in points (mean ± std over seeds). Negative AUC and TPR differences at a small accuracy difference mean the critical locations, not the fine-tune, lower the leak.',
                '',
                rewind,
                '',
              ]
            : []),
        ]
      : []),
    ...(goal
      ? [
          '## Goal check: X + CWRF against X, paired by seed',
          '',
          'The goal: lower LiRA AUC and TPR@0.1% FPR than the base defense X at no more than 1 point of test accuracy, on each seed. Differences are defended minus base, in points (mean ± std over seeds).',
          '',
          goal,
          '',
        ]
      : []),
    ...(r.rows.length
      ? [
          '## Per seed, with 95% intervals',
          '',
          "One audit's own noise: a seeded bootstrap over its members and non-members (1,000 resamples; TPR's threshold re-chosen in each). Two cells whose intervals overlap show no measurable difference.",
          '',
          perSeedMarkdown(r.rows),
          '',
        ]
      : []),
  ].join('\n');
}

function summarizePending(p: { defense: string; seed: number | null; why: string }[]): string {
  const by = new Map<string, number[]>();
  for (const m of p) by.set(m.defense, [...(by.get(m.defense) ?? []), m.seed!]);
  return [...by].map(([d, s]) => `${d} (seed ${s.join(', ')})`).join('; ');
}
