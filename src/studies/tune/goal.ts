// A privacy goal of `cwrf tune`: `ATTACK:METRIC<=VALUE`, e.g. `lira:tpr@0.1%<=0.5%` or `rmia:auc<=60%`. The attack
// is any name of the attack registry (or a short alias), the metric AUC or TPR at a false-positive rate; lower is
// more private, so a goal is always an upper bound.
import { ATTACK_NAMES, tprAtFpr, auc as rocAuc, type AttackName, type Roc } from '../../attacks/index.ts';
import { InputError } from '../../util/errors.ts';

/** What a goal measures: an attack and AUC, or TPR at a false-positive rate. */
export interface GoalMetric {
  attack: AttackName;
  metric: { kind: 'auc' } | { kind: 'tpr'; fpr: number };
}

/** A goal: the metric must be at most `max` (a fraction). */
export interface Goal extends GoalMetric {
  max: number;
}

/** Short names of the attacks a goal may use beside the registry's. */
export const ATTACK_ALIASES: Record<string, AttackName> = { lira: 'lira-online-fixed', rmia: 'rmia-online', loss: 'loss' };

function fraction(text: string, what: string): number {
  const pct = text.endsWith('%');
  const v = Number(pct ? text.slice(0, -1) : text);
  if (text === '' || !Number.isFinite(v)) throw new InputError(`${what}: '${text}' is not a number (e.g. 0.5% or 0.005)`);
  const f = pct ? v / 100 : v;
  if (f < 0 || f > 1) throw new InputError(`${what}: ${text} is not a rate between 0 and 1 (0% and 100%)`);
  return f;
}

/** Parses `ATTACK:METRIC` (the metric part of a goal, e.g. `lira:tpr@0.1%`). */
export function parseGoalMetric(text: string): GoalMetric {
  const [name, metric, ...rest] = text.split(':');
  if (!metric || rest.length) throw new InputError(`goal '${text}': expected ATTACK:METRIC, e.g. lira:tpr@0.1% or rmia:auc`);
  const attack = ATTACK_ALIASES[name] ?? (ATTACK_NAMES.includes(name as AttackName) ? (name as AttackName) : undefined);
  if (!attack) throw new InputError(`goal '${text}': unknown attack '${name}' (${[...Object.keys(ATTACK_ALIASES), ...ATTACK_NAMES].join(', ')})`);
  if (metric === 'auc') return { attack, metric: { kind: 'auc' } };
  const m = /^tpr@(.+)$/.exec(metric);
  if (!m) throw new InputError(`goal '${text}': unknown metric '${metric}' (auc, or tpr@X% for the TPR at X% false positives)`);
  const fpr = fraction(m[1], `goal '${text}'`);
  if (fpr <= 0 || fpr >= 1) throw new InputError(`goal '${text}': the false-positive rate must be strictly between 0 and 100%`);
  return { attack, metric: { kind: 'tpr', fpr } };
}

/** Parses `ATTACK:METRIC<=VALUE` (VALUE a fraction, or a percentage with %). */
export function parseGoal(text: string): Goal {
  const at = text.indexOf('<=');
  if (at < 0) throw new InputError(`--goal '${text}': expected ATTACK:METRIC<=VALUE, e.g. lira:tpr@0.1%<=0.5% (lower is more private, so a goal is an upper bound)`);
  const g = parseGoalMetric(text.slice(0, at));
  const max = fraction(text.slice(at + 2), `--goal '${text}'`);
  if (g.metric.kind === 'auc' && max < 0.5) throw new InputError(`--goal '${text}': an AUC below 50% is not a privacy goal (chance is 50%)`);
  return { ...g, max };
}

/** The goal metric's value on an ROC. */
export function goalValue(g: GoalMetric, curve: Pick<Roc, 'fpr' | 'tpr'>): number {
  return g.metric.kind === 'auc' ? rocAuc(curve) : tprAtFpr(curve, g.metric.fpr);
}

/** The goal metric in words, e.g. 'LiRA online fixed-variance TPR at 0.1% FPR'. */
export function goalLabel(g: GoalMetric): string {
  return `${g.attack} ${g.metric.kind === 'auc' ? 'AUC' : `TPR at ${+(g.metric.fpr * 100).toFixed(4)}% FPR`}`;
}
