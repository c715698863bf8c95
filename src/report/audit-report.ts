// The membership-inference audit report: one self-contained HTML file comparing models (typically an
// undefended baseline and CWRF-defended variants) under several attacks.

import { barChart, histogramChart, rocChart, scatterChart, defaultMinFpr, PALETTE } from './charts.ts';
import { esc, figure, fmtNum, fmtPct, grid, kv, page, raw, table } from './html.ts';

/** A two-sided confidence interval. */
export interface Interval {
  low: number;
  high: number;
}

/** The 95% intervals the report shows (bootstrap; the audit's MetricIntervals fit this). */
export interface ReportIntervals {
  auc: Interval;
  tprAt0_1pct: { bootstrap: Interval };
  tprAt1pct: { bootstrap: Interval };
}

export interface AttackCurve {
  /** Attack name, e.g. 'lira-online-fixed' (known names get a readable label, others are shown as-is). */
  name: string;
  metrics: { auc: number; balancedAccuracy: number; tprAt0_1pct: number; tprAt1pct: number };
  /** ROC curve: FPR and TPR non-decreasing from (0,0) to (1,1). Any length; downsampled for plotting. */
  roc: { fpr: ArrayLike<number>; tpr: ArrayLike<number> };
  memberScores?: ArrayLike<number>;
  nonMemberScores?: ArrayLike<number>;
  /** 95% intervals of the metrics (audits before they were recorded have none). */
  intervals?: ReportIntervals;
  /** The epsilon lower bound this attack supports. */
  auditedEpsilon?: { epsilon: number; delta: number };
}

export interface ReportModel {
  name: string;
  /** Accuracies as fractions in [0, 1]. */
  trainAccuracy: number;
  testAccuracy: number;
  attacks: AttackCurve[];
  /** Training / defense settings of this model, shown as a key-value table. */
  settings?: Record<string, unknown>;
  note?: string;
  /** The accountant's epsilon of a DP-SGD run, and what it covers. */
  accounted?: { epsilon: number; delta: number; covers: string };
}

export interface AuditReportInput {
  title: string;
  subtitle?: string;
  models: ReportModel[];
  /** Name of the undefended model the others are compared to. */
  baseline?: string;
  /** Attack used for the verdicts; default the first of 'lira-online-fixed', 'lira-online', else the first attack. */
  headline?: string;
  /** Audit settings (reference models, attacks, data), shown as a key-value table. */
  settings?: Record<string, unknown>;
  /** Free text shown under the title, e.g. an ISO timestamp. */
  generated?: string;
}

const ATTACK_LABELS: Record<string, string> = {
  'lira-online': 'LiRA (online)',
  'lira-online-fixed': 'LiRA (online, fixed variance)',
  'lira-offline': 'LiRA (offline)',
  'lira-offline-fixed': 'LiRA (offline, fixed variance)',
  'rmia-online': 'RMIA (online)',
  'rmia-offline': 'RMIA (offline)',
  loss: 'Loss threshold',
  confidence: 'Confidence threshold',
  entropy: 'Entropy threshold',
  'modified-entropy': 'Modified-entropy threshold',
  'phi-threshold': 'Logit-confidence threshold',
};

/** Readable label of an attack name ('lira-online-fixed' -> 'LiRA (online, fixed variance)'). */
export function attackLabel(name: string): string {
  return ATTACK_LABELS[name] ?? name;
}

/** Percent with 1 decimal, or 2 below 1% (so 0.05% does not print as 0.1%). */
export function fmtRate(x: number): string {
  return fmtPct(x, Number.isFinite(x) && Math.abs(x) < 0.01 && x !== 0 ? 2 : 1);
}

function fmtAuc(x: number): string {
  return fmtNum(x, 2);
}

/** The attack the verdicts use. */
export function headlineAttack(input: Pick<AuditReportInput, 'models' | 'headline'>): string | undefined {
  if (input.headline) return input.headline;
  const all = attackNames(input.models);
  for (const pref of ['lira-online-fixed', 'lira-online']) if (all.includes(pref)) return pref;
  return all[0];
}

function attackNames(models: ReportModel[]): string[] {
  const out: string[] = [];
  for (const m of models) for (const a of m.attacks) if (!out.includes(a.name)) out.push(a.name);
  return out;
}

function find(m: ReportModel, attack: string): AttackCurve | undefined {
  return m.attacks.find((a) => a.name === attack);
}

/**
 * One verdict sentence for a model (plain text), e.g. "LiRA (online, fixed variance) finds 4.1% of
 * members at 0.1% false positives (AUC 0.84), down from 12.3% (AUC 0.93) for the undefended model;
 * test accuracy 83.0% (-2.2 points)." Without a baseline (or for the baseline itself): "... finds X% of
 * members at 0.1% false positives (AUC a), test accuracy Y%."
 */
export function verdict(model: ReportModel, attack: string, baseline?: ReportModel): string {
  const label = attackLabel(attack);
  const a = find(model, attack);
  if (!a) return `not evaluated with ${label}; test accuracy ${fmtPct(model.testAccuracy, 1)}.`;
  const t = a.metrics.tprAt0_1pct;
  const head = `${label} finds ${fmtRate(t)} of members at 0.1% false positives (AUC ${fmtAuc(a.metrics.auc)})`;
  if (!baseline || baseline === model) return `${head}, test accuracy ${fmtPct(model.testAccuracy, 1)}.`;
  const b = find(baseline, attack);
  const who = /undefended/i.test(baseline.name) ? 'the undefended model' : `the undefended model (${baseline.name})`;
  const dAcc = (model.testAccuracy - baseline.testAccuracy) * 100;
  const accPart =
    `test accuracy ${fmtPct(model.testAccuracy, 1)}` +
    (Math.abs(dAcc) < 0.05 ? ' (unchanged)' : ` (${dAcc > 0 ? '+' : '−'}${Math.abs(dAcc).toFixed(1)} points)`);
  if (!b) return `${head}; ${who} was not evaluated with this attack; ${accPart}.`;
  const bt = b.metrics.tprAt0_1pct;
  const ia = a.intervals?.tprAt0_1pct.bootstrap;
  const ib = b.intervals?.tprAt0_1pct.bootstrap;
  if (ia && ib && ia.low <= ib.high && ib.low <= ia.high && Math.round(t * 1e4) !== Math.round(bt * 1e4))
    return `${head}, against ${fmtRate(bt)} (AUC ${fmtAuc(b.metrics.auc)}) for ${who}: no measurable difference (their 95% intervals overlap); ${accPart}.`;
  const same = Math.round(t * 1e4) === Math.round(bt * 1e4);
  const cmp = same ? 'unchanged from' : t < bt ? 'down from' : 'up from';
  const tail = same ? `${who} (AUC ${fmtAuc(b.metrics.auc)})` : `${fmtRate(bt)} (AUC ${fmtAuc(b.metrics.auc)}) for ${who}`;
  return `${head}, ${cmp} ${tail}; ${accPart}.`;
}

/** A value with its interval in brackets, when there is one. */
function withInterval(value: string, iv: Interval | undefined, fmt: (x: number) => string): string | ReturnType<typeof raw> {
  return iv ? raw(`${esc(value)}<br><span class="muted">${esc(`${fmt(iv.low)}–${fmt(iv.high)}`)}</span>`) : value;
}

/** References from which low-FPR rankings matched a 64-reference attacker's (docs/results/bench-location-refs.md). */
export const STRONG_ATTACKER_REFS = 32;

/** What an audit with fewer than STRONG_ATTACKER_REFS references may understate, and how to strengthen it. */
export function fewRefsNote(refs: number): string {
  return (
    `This audit used ${refs} reference models. A stronger attacker finds more: on Location, 64 references raised LiRA's AUC ` +
    `by 1.5-4 points over 8 and re-ranked models whose TPR at 0.1% false positives differed by a point or two, while AUC ` +
    `rankings held. Before comparing models at low false-positive rates, re-audit with --refs ${STRONG_ATTACKER_REFS} ` +
    `(--ref-block ${refs} reuses these ${refs} models).`
  );
}

/** Render the audit report to one self-contained HTML string. */
export async function renderAuditReport(input: AuditReportInput): Promise<string> {
  const { models } = input;
  if (models.length === 0) throw new RangeError('renderAuditReport: no models to report');
  const names = models.map((m) => m.name);
  if (new Set(names).size !== names.length) throw new RangeError(`renderAuditReport: duplicate model names (${names.join(', ')})`);
  let base: ReportModel | undefined;
  if (input.baseline !== undefined) {
    base = models.find((m) => m.name === input.baseline);
    if (!base) throw new RangeError(`renderAuditReport: baseline "${input.baseline}" is not one of the models (${names.join(', ')})`);
  }
  const headline = headlineAttack(input);
  const attacks = attackNames(models);
  const colourOf = new Map(names.map((n, i) => [n, PALETTE[i % PALETTE.length]]));
  const sections: { heading: string; html: string }[] = [];

  // (a) Summary.
  {
    let html = '';
    if (headline === undefined) {
      html += `<p>No attack results were given.</p>`;
    } else {
      const order = base ? [base, ...models.filter((m) => m !== base)] : models;
      html += `<div class="callout"><ul>\n${order
        .map((m) => `<li><strong>${esc(m.name)}</strong>${m === base ? ' (baseline)' : ''}: ${esc(verdict(m, headline, base))}</li>`)
        .join('\n')}\n</ul></div>`;
      html +=
        `<p class="note">Verdicts use ${esc(attackLabel(headline))}, the headline attack. ` +
        `A random guess finds 0.1% of members at 0.1% false positives (AUC 0.50); ` +
        `the fraction of members found at a low false-positive rate is the measure that matters for privacy ` +
        `(Carlini et al., 2022), AUC is shown for reference.</p>`;
      const refs = input.settings?.refs;
      if (typeof refs === 'number' && refs < STRONG_ATTACKER_REFS) html += `<p class="note">${esc(fewRefsNote(refs))}</p>`;
    }
    sections.push({ heading: 'Summary', html });
  }

  // (b) Metrics.
  {
    const rows: (string | number | ReturnType<typeof raw>)[][] = [];
    const groupStarts: boolean[] = [];
    for (const m of models) {
      const name = raw(`<strong>${esc(m.name)}</strong>${m === base ? ' <span class="muted">(baseline)</span>' : ''}`);
      const head = [name, fmtPct(m.trainAccuracy, 1), fmtPct(m.testAccuracy, 1)];
      const cont = ['', '', ''];
      if (m.attacks.length === 0) {
        rows.push([...head, 'no attacks', '', '', '', '', '']);
        groupStarts.push(true);
      }
      m.attacks.forEach((a, k) => {
        const iv = a.intervals;
        rows.push([
          ...(k === 0 ? head : cont),
          attackLabel(a.name),
          withInterval(fmtNum(a.metrics.auc, 3), iv?.auc, (x) => fmtNum(x, 3)),
          withInterval(fmtPct(a.metrics.tprAt0_1pct, 2), iv?.tprAt0_1pct.bootstrap, (x) => fmtPct(x, 2)),
          withInterval(fmtPct(a.metrics.tprAt1pct, 2), iv?.tprAt1pct.bootstrap, (x) => fmtPct(x, 2)),
          fmtPct(a.metrics.balancedAccuracy, 1),
          a.auditedEpsilon ? fmtNum(a.auditedEpsilon.epsilon, 2) : '',
        ]);
        groupStarts.push(k === 0);
      });
    }
    let html = table(
      ['Model', 'Train acc.', 'Test acc.', 'Attack', 'AUC', 'TPR @ 0.1% FPR', 'TPR @ 1% FPR', 'Balanced acc.', 'Audited ε'],
      rows,
      {
        numeric: [false, true, true, false, true, true, true, true, true],
        caption: 'One row per model and attack; accuracies are the target model\'s own.',
        className: 'metrics',
        groupStarts,
      },
    );
    html +=
      `<p class="note"><strong>TPR @ x% FPR</strong> is the true-positive rate (fraction of members flagged) at the largest ` +
      `ROC point whose false-positive rate is at most x% (non-strict: FPR &le; x). ` +
      `<strong>Balanced accuracy</strong> is the best (TPR + TNR) / 2 over all thresholds. ` +
      `<strong>AUC</strong> is the area under the full ROC curve. ` +
      `The second line of a cell is its 95% interval: AUC and TPR by a seeded bootstrap over members and non-members (which also ` +
      `re-chooses the threshold); audit.json also holds TPR's exact Clopper-Pearson interval at the chosen threshold. ` +
      `Two models whose intervals overlap show <strong>no measurable difference</strong>. ` +
      `<strong>Audited ε</strong> is the largest epsilon lower bound the attack's ROC supports at 95% confidence ` +
      `(TPR &le; e<sup>ε</sup> FPR + δ with Clopper-Pearson bounds, maximised over thresholds): a check, not an estimate.</p>`;
    const barRows = models.flatMap((m) =>
      m.attacks.map((a) => ({
        label: attackLabel(a.name),
        value: a.metrics.tprAt0_1pct,
        group: m.name,
        ...(a.intervals ? { low: a.intervals.tprAt0_1pct.bootstrap.low, high: a.intervals.tprAt0_1pct.bootstrap.high } : {}),
      })),
    );
    if (barRows.length > 0 && attacks.length > 1) {
      const chart = await barChart(barRows, {
        title: 'TPR at 0.1% FPR by attack',
        valueTitle: 'TPR at 0.1% FPR',
        format: '.1~%',
        width: 420,
      });
      html += grid([figure(chart, 'Fraction of members each attack finds at 0.1% false positives, per model (rules: 95% bootstrap intervals).')]);
    }
    sections.push({ heading: 'Metrics', html });
  }

  // (b2) Audited epsilon.
  {
    const lines = models.flatMap((m) => {
      const best = m.attacks.reduce<AttackCurve | undefined>((b, a) => ((a.auditedEpsilon?.epsilon ?? -1) > (b?.auditedEpsilon?.epsilon ?? -1) ? a : b), undefined);
      if (!best?.auditedEpsilon) return [];
      const e = best.auditedEpsilon;
      const audited = `audited ε ≥ ${fmtNum(e.epsilon, 2)} (${attackLabel(best.name)}, δ = ${e.delta})`;
      const accounted = m.accounted ? `; accounted ε ≤ ${fmtNum(m.accounted.epsilon, 2)} (δ = ${m.accounted.delta}; covers ${m.accounted.covers})` : '';
      return [`<li><strong>${esc(m.name)}</strong>: ${esc(audited + accounted)}</li>`];
    });
    if (lines.length)
      sections.push({
        heading: 'Audited epsilon',
        html:
          `<ul>${lines.join('')}</ul><p class="note">The best over attacks and thresholds (each attack's own is in the metrics table). ` +
          `A membership audit of one training run gives a loose lower bound, far below a DP-SGD accountant's upper bound; ` +
          `an audited ε above the accountant's would mean the implementation leaks more than it claims.</p>`,
      });
  }

  // (c) ROC curves.
  {
    const all = models.flatMap((m) => m.attacks.map((a) => a.roc));
    const minFpr = all.length ? defaultMinFpr(all) : 1e-5;
    const figs: string[] = [];
    for (const name of attacks) {
      const curves = models.flatMap((m) => {
        const a = find(m, name);
        return a ? [{ series: m.name, fpr: a.roc.fpr, tpr: a.roc.tpr }] : [];
      });
      const chart = await rocChart(curves, { title: attackLabel(name), minFpr, domain: names, colours: names.map((n) => colourOf.get(n)!) });
      figs.push(figure(chart, `ROC of ${attackLabel(name)} (${name}) for ${curves.map((c) => c.series).join(', ')}.`));
    }
    const html =
      `<p class="note">Log-log ROC curves, one chart per attack with every model overlaid. Curves further below ` +
      `the dashed chance line at the left (low false-positive rates) mean fewer members exposed with confidence.</p>` +
      (figs.length ? grid(figs) : '<p>No ROC curves.</p>');
    sections.push({ heading: 'ROC curves', html });
  }

  // (d) Privacy-utility trade-off.
  if (headline !== undefined) {
    const pts = models.flatMap((m) => {
      const a = find(m, headline);
      return a ? [{ label: m.name, group: m.name, x: m.testAccuracy, y: a.metrics.tprAt0_1pct, auc: a.metrics.auc }] : [];
    });
    const label = attackLabel(headline);
    const ys = pts.map((p) => p.y);
    const yLog = ys.length > 1 && ys.every((y) => y > 0) && Math.max(...ys) / Math.min(...ys) >= 5;
    const domain = pts.map((p) => p.label);
    const colours = domain.map((n) => colourOf.get(n)!);
    const c1 = await scatterChart(pts, {
      title: `Test accuracy vs ${label} TPR @ 0.1% FPR`,
      xTitle: 'Test accuracy',
      yTitle: `TPR @ 0.1% FPR${yLog ? ' (log)' : ''}`,
      yLog,
      xFormat: '.1%',
      yFormat: '%',
      domain,
      colours,
    });
    const c2 = await scatterChart(
      pts.map((p) => ({ ...p, y: p.auc })),
      { title: `Test accuracy vs ${label} AUC`, xTitle: 'Test accuracy', yTitle: 'AUC', xFormat: '.1%', yFormat: '.2f', domain, colours },
    );
    const html =
      `<p class="note">Each point is a model: right is more useful, lower is more private.</p>` +
      grid([
        figure(c1, `Privacy-utility: test accuracy against the fraction of members ${label} finds at 0.1% FPR.`),
        figure(c2, `Privacy-utility: test accuracy against the AUC of ${label}.`),
      ]);
    sections.push({ heading: 'Privacy-utility trade-off', html });
  }

  // (e) Score distributions.
  if (headline !== undefined) {
    const figs: string[] = [];
    const missing: string[] = [];
    for (const m of models) {
      const a = find(m, headline);
      if (!a || !a.memberScores || !a.nonMemberScores || a.memberScores.length + a.nonMemberScores.length === 0) {
        missing.push(m.name);
        continue;
      }
      const chart = await histogramChart(
        [
          { name: `members (${fmtNum(a.memberScores.length)})`, values: a.memberScores },
          { name: `non-members (${fmtNum(a.nonMemberScores.length)})`, values: a.nonMemberScores },
        ],
        { title: m.name, xTitle: `${attackLabel(headline)} score (higher = more member-like)` },
      );
      figs.push(figure(chart, `Distribution of ${attackLabel(headline)} scores on ${m.name}: members vs non-members.`));
    }
    const html =
      `<p class="note">Scores of the headline attack, ${esc(attackLabel(headline))}; the more the two distributions ` +
      `overlap, the less the attack can tell members from non-members. Each group is normalised to its own size.</p>` +
      (figs.length ? grid(figs) : '') +
      (missing.length ? `<p class="muted">No scores recorded for: ${esc(missing.join(', '))}.</p>` : '');
    sections.push({ heading: 'Score distributions', html });
  }

  // (f) Settings.
  {
    let html = '';
    for (const m of models) {
      html += `<h3>${esc(m.name)}${m === base ? ' <span class="muted">(baseline)</span>' : ''}</h3>`;
      if (m.note) html += `<p>${esc(m.note)}</p>`;
      html += kv(m.settings ?? {});
    }
    html += `<h3>Audit</h3>`;
    html += kv({ ...(input.settings ?? {}), ...(headline !== undefined ? { 'headline attack': headline } : {}) });
    sections.push({ heading: 'Settings', html });
  }

  return page({ title: input.title, subtitle: input.subtitle, generated: input.generated, sections });
}
