// An audit: train reference models that replay the target's recipe, score every population example
// with the attacks, and compare against the target's true membership.
//   audit.json          settings, metrics per attack (and leave-one-out mean/std), accuracies, timings
//   signals.safetensors per-model signals, inclusion matrix, labels, per-attack target scores (README)
//   report.html         self-contained report (tables, ROC curves)
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import {
  ATTACK_NAMES,
  auditedEpsilon,
  computeSignalMatrices,
  DEFAULT_RESAMPLES,
  metricIntervals,
  roc,
  runAttacks,
  summarize,
  type AttackName,
  type AttackResult,
  type AuditedEpsilon,
  type MetricIntervals,
  type SignalName,
  type Summary,
} from '../attacks/index.ts';
import { balancedInclusion, type LoadOptions } from '../data/index.ts';
import { releaseLabel } from '../defenses/index.ts';
import { readSafetensors, writeSafetensors, type StoredTensor } from '../io/safetensors.ts';
import { writeDirAtomic, writeJsonAtomic, writeFileAtomic } from '../io/atomic.ts';
import { loadData, withSeeds, type Recipe } from '../train/index.ts';
import { InputError } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';
import { trainReferences, type ReferenceExecutor, type RefJob, type RefResult } from '../references/refs.ts';
import { evaluate, loadRunModel, type Run, type RunJson } from '../runs/run.ts';
import { versions } from '../runs/versions.ts';
import { checkQueries, defaultQueries } from '../runs/queries.ts';
import { trainingThreads } from '../engine/threads.ts';
import type { AuditReportInput, ReportModel } from '../report/index.ts';

/** Attacks run by default (all). */
export const DEFAULT_ATTACKS: AttackName[] = ATTACK_NAMES;

export interface AuditOptions extends LoadOptions {
  refs: number;
  out: string;
  workers?: number;
  /** Intra-op threads of the reference models (default: trainingThreads()). */
  threads?: number;
  /** Where reference models train (default: a local pool of `workers` processes). */
  executor?: ReferenceExecutor;
  attacks?: AttackName[];
  leaveOneOut?: boolean;
  /** Seed of the reference models' seeds and member halves. */
  seed?: number;
  cacheRoot?: string;
  /** RMIA offline `a`: a number, or 'tune' on a paired reference model (default). */
  rmiaA?: number | 'tune';
  /** LiRA queries per example: 1, 2 (with the mirror) or 18 (mirror x shifts); default 2 for images, else 1. */
  queries?: number;
  /** Nested design: references in balanced blocks of this size (see referenceJobs); default one block of `refs`. */
  refBlock?: number;
  /** Bootstrap resamples of the metric intervals (default DEFAULT_RESAMPLES). */
  resamples?: number;
  /** delta of the audited epsilon (default: the run's DP-SGD delta, else DEFAULT_DELTA). */
  delta?: number;
  /** Earlier audit directories to overlay in the report (e.g. the undefended model). */
  compare?: string[];
  onReference?: (done: number, total: number, r: RefResult) => void;
  onEpoch?: (ref: number, stage: string, epoch: number) => void;
  /** Renders report.html from the audit's data (commands pass renderAuditReport); without it none is written. */
  render?: (input: AuditReportInput) => Promise<string>;
}

export interface AttackSummary {
  name: AttackName;
  metrics: Summary;
  /** 95% intervals of AUC (bootstrap) and TPR at 0.1% / 1% FPR (exact and bootstrap). */
  intervals?: MetricIntervals;
  /** The epsilon lower bound this attack's ROC supports at 95% confidence. */
  auditedEpsilon?: AuditedEpsilon;
  threshold?: { accuracy: number; balancedAccuracy: number; tpr: number; fpr: number };
  rmia?: { a: number; tuned: boolean };
}

export interface AuditJson {
  format: 'cwrf-audit/1';
  created: string;
  run: string;
  recipe: Recipe;
  settings: {
    refs: number;
    /** Balanced block size of a nested reference design (absent: one block). */
    refBlock?: number;
    seed: number;
    attacks: AttackName[];
    leaveOneOut: boolean;
    rmiaA: number | 'tune';
    tprRule: string;
    populationSize: number;
    queries: number;
    /** The output transform every released output went through, target and references alike ('none': raw logits). */
    release: string;
    /** How the intervals and the audited epsilon were computed. */
    uncertainty?: { level: number; resamples: number; delta: number; seed: number };
  };
  /** The audited epsilon (best over attacks) beside the accountant's, where the run has one. */
  epsilon?: EpsilonSummary;
  target: { trainAccuracy: number; testAccuracy: number };
  references: { seed: number; trainAccuracy: number; testAccuracy: number; seconds: number; cached: boolean }[];
  attacks: AttackSummary[];
  leaveOneOut?: Record<string, { targets: number; mean: Record<string, number>; std: Record<string, number> }>;
  seconds: { references: number; attacks: number; total: number };
  /** Intra-op threads the reference models trained with (the same for any --workers). */
  threads: number;
  versions: Record<string, string>;
}

/** The audited epsilon of an audit beside the DP accountant's. */
export interface EpsilonSummary {
  /** The largest audited epsilon over the attacks, and the attack that gave it (a max over attacks and thresholds). */
  audited: { epsilon: number; attack: string; delta: number; level: number };
  /** The accountant's epsilon of the run's DP-SGD training, when it has one, and what it covers. */
  accounted?: { epsilon: number; delta: number; covers: string };
}

/** delta of the audited epsilon when the run has no DP-SGD delta of its own. */
export const DEFAULT_DELTA = 1e-5;

/** Two-sided confidence level of every interval and of the audited epsilon. */
export const CONFIDENCE = 0.95;

/** Signal matrices, inclusion and labels: everything the attacks need. */
export interface SignalSet {
  signals: Record<SignalName, Float64Array>;
  inclusion: Uint8Array;
  labels: Int32Array;
  classes: number;
  target: number;
  /** Queries per example (augmentations): phi is then [models, n, queries]; the other signals use the first. */
  queries?: number;
}

const SIGNAL_FILE_NAMES: Record<SignalName, string> = {
  phi: 'phi',
  pY: 'p_y',
  negLoss: 'neg_loss',
  confidence: 'confidence',
  negEntropy: 'neg_entropy',
  negModEntropy: 'neg_mod_entropy',
};

/**
 * The reference jobs of an audit: the recipe replayed with per-reference seeds on balanced member halves. With
 * `block` (a divisor of `refs`), the design is nested: balanced blocks of `block` references each, the first block
 * being the `block`-reference audit's own, so audits with 8, 16, 32 and 64 references share their first models
 * (and the cache) and each is balanced (every example in exactly half of the references).
 */
export function referenceJobs(recipe: Recipe, populationSize: number, refs: number, seed: number, block = refs): { jobs: RefJob[]; inclusion: Uint8Array } {
  if (!Number.isInteger(refs) || refs < 2) throw new InputError(`--refs must be an integer >= 2, got ${refs}`);
  if (!Number.isInteger(block) || block < 2 || refs % block !== 0) throw new InputError(`--ref-block must be an integer >= 2 that divides --refs (${refs}), got ${block}`);
  const inc = new Uint8Array(refs * populationSize);
  for (let b = 0; b < refs / block; b++) {
    const labels = b === 0 ? [seed] : [seed, 'block', b];
    inc.set(balancedInclusion(block, populationSize, Rng.deriveSeed(recipe.split.seed, 'audit-inclusion', ...labels)), b * block * populationSize);
  }
  const jobs = Array.from({ length: refs }, (_, k) => {
    const s = Rng.deriveSeed(recipe.seed, 'reference', seed, k) % 2 ** 31;
    return { recipe: withSeeds(recipe, s, s), members: inc.subarray(k * populationSize, (k + 1) * populationSize) };
  });
  return { jobs, inclusion: inc };
}

/** How an audit measures its uncertainty: bootstrap resamples and seed, delta of the audited epsilon. */
export interface UncertaintyOptions {
  resamples: number;
  delta: number;
  seed: number;
}

function attackSummary(r: AttackResult, member: Uint8Array, u: UncertaintyOptions): AttackSummary {
  const extra = {
    intervals: metricIntervals(r.scores, member, { resamples: u.resamples, level: CONFIDENCE, seed: Rng.deriveSeed(u.seed, 'bootstrap', r.name) }),
    auditedEpsilon: auditedEpsilon(roc(r.scores, member), u.delta, CONFIDENCE),
  };
  return {
    name: r.name,
    metrics: r.metrics,
    ...extra,
    ...(r.threshold
      ? { threshold: { accuracy: r.threshold.accuracy, balancedAccuracy: r.threshold.balancedAccuracy, tpr: r.threshold.tpr, fpr: r.threshold.fpr } }
      : {}),
    ...(r.rmia ? { rmia: { a: r.rmia.a, tuned: r.rmia.tuned } } : {}),
  };
}

/** Each attack's summary with its intervals and audited epsilon (target membership `member`). */
export function summarizeAttacks(results: AttackResult[], member: Uint8Array, u: UncertaintyOptions): AttackSummary[] {
  return results.map((r) => attackSummary(r, member, u));
}

/** The largest audited epsilon over the attacks' summaries. */
export function bestAudited(summaries: AttackSummary[], delta: number): EpsilonSummary['audited'] {
  let best: EpsilonSummary['audited'] = { epsilon: 0, attack: summaries[0]?.name ?? 'none', delta, level: CONFIDENCE };
  for (const s of summaries) if (s.auditedEpsilon && s.auditedEpsilon.epsilon > best.epsilon) best = { ...best, epsilon: s.auditedEpsilon.epsilon, attack: s.name };
  return best;
}

/**
 * The accountant's epsilon of a run trained with DP-SGD (its last epoch's), and what it covers: a defense stage
 * after training reads the members outside the accountant (CWRF's scores use their gradients), so then the bound
 * is the training's only and does not cover the released model.
 */
export function accountedEpsilon(run: Pick<RunJson, 'recipe' | 'metrics'>): EpsilonSummary['accounted'] {
  const dp = run.recipe.dp;
  const eps = run.metrics.history.at(-1)?.epsilon;
  if (!dp || eps === undefined) return undefined;
  const stages = run.recipe.defenses.map((d) => d.method);
  const covers = stages.length
    ? `the DP-SGD training only: the ${stages.join(', ')} stage reads the members outside the accountant, so no accountant bound covers the released model`
    : 'the released model (the output of DP-SGD training)';
  return { epsilon: eps, delta: dp.delta, covers };
}

/** Runs the attacks on a signal set (target row + references), optionally leave-one-out over every row. */
export function attackSignals(
  s: SignalSet,
  o: { attacks?: AttackName[]; leaveOneOut?: boolean; rmiaA?: number | 'tune' },
): { results: AttackResult[]; leaveOneOut?: AuditJson['leaveOneOut'] } {
  const models = s.inclusion.length / s.labels.length;
  const run = (target: number) => {
    const others = Array.from({ length: models }, (_, i) => i).filter((i) => i !== target);
    const a = o.rmiaA ?? 'tune';
    return runAttacks({
      signals: s.signals,
      inclusion: s.inclusion,
      labels: s.labels,
      classes: s.classes,
      target,
      refs: others,
      attacks: o.attacks,
      ...(s.queries && s.queries > 1 ? { lira: { queries: s.queries } } : {}),
      rmia: a === 'tune' && others.length >= 3 ? { a, pairedTarget: others[0], pairedRef: others[1] } : { a: a === 'tune' ? 0.3 : a },
    });
  };
  const results = run(s.target);
  if (!o.leaveOneOut) return { results };
  const per: Record<string, Summary[]> = {};
  for (let t = 0; t < models; t++) for (const r of t === s.target ? results : run(t)) (per[r.name] ??= []).push(r.metrics);
  const loo: NonNullable<AuditJson['leaveOneOut']> = {};
  for (const [name, ms] of Object.entries(per)) {
    const keys = ['auc', 'balancedAccuracy', 'tprAt0_1pct', 'tprAt1pct'] as const;
    const mean: Record<string, number> = {};
    const std: Record<string, number> = {};
    for (const k of keys) {
      const xs = ms.map((m) => m[k]);
      const mu = xs.reduce((a, b) => a + b, 0) / xs.length;
      mean[k] = mu;
      // the spread over every target of this audit (each model in turn), not an estimate from a sample: n, not n - 1
      std[k] = Math.sqrt(xs.reduce((a, b) => a + (b - mu) ** 2, 0) / xs.length);
    }
    loo[name] = { targets: ms.length, mean, std };
  }
  return { results, leaveOneOut: loo };
}

/** Writes signals.safetensors: per-model signal matrices, inclusion, labels, and the target's attack scores. */
export async function writeSignals(file: string, s: SignalSet, results: AttackResult[]): Promise<void> {
  const n = s.labels.length;
  const models = s.inclusion.length / n;
  const t: Record<string, StoredTensor> = {
    inclusion: { dtype: 'U8', shape: [models, n], data: s.inclusion },
    labels: { dtype: 'I32', shape: [n], data: s.labels },
  };
  const q = s.queries ?? 1;
  for (const [k, name] of Object.entries(SIGNAL_FILE_NAMES))
    if (s.signals[k as SignalName]) t[name] = { dtype: 'F64', shape: k === 'phi' && q > 1 ? [models, n, q] : [models, n], data: s.signals[k as SignalName] };
  for (const r of results) t[`score.${r.name}`] = { dtype: 'F64', shape: [n], data: r.scores };
  await writeSafetensors(file, t, { format: 'cwrf-signals/1', target: String(s.target), classes: String(s.classes), ...(q > 1 ? { queries: String(q) } : {}) });
}

/** Reads a signals file (cwrf's own, or one exported from elsewhere with at least phi or p_y, inclusion, labels). */
export async function readSignals(file: string): Promise<SignalSet & { scores: Record<string, Float64Array> }> {
  if (!existsSync(file)) throw new InputError(`signals file not found: ${file}`);
  const { tensors, metadata } = await readSafetensors(file);
  const inc = tensors.inclusion;
  const lab = tensors.labels;
  if (!inc || !lab) throw new InputError(`${file}: needs 'inclusion' [models, n] and 'labels' [n] tensors`);
  if (inc.shape.length !== 2) throw new InputError(`${file}: 'inclusion' must be 2-D [models, n], got [${inc.shape}]`);
  const [models, n] = inc.shape;
  if (lab.shape.length !== 1 || lab.shape[0] !== n) throw new InputError(`${file}: 'labels' must have shape [${n}], got [${lab.shape}]`);
  const labels = lab.dtype === 'I32' ? (lab.data as Int32Array) : Int32Array.from(lab.data as ArrayLike<number | bigint>, Number);
  const inclusion = Uint8Array.from(inc.data as ArrayLike<number | bigint>, (v) => (Number(v) ? 1 : 0));
  const signals = {} as Record<SignalName, Float64Array>;
  let queries = 1;
  for (const [k, name] of Object.entries(SIGNAL_FILE_NAMES)) {
    const tt = tensors[name];
    if (!tt) continue;
    if (k === 'phi' && tt.shape.length === 3 && tt.shape[0] === models && tt.shape[1] === n) queries = tt.shape[2];
    else if (tt.shape.join() !== `${models},${n}`) throw new InputError(`${file}: '${name}' must have shape [${models}, ${n}], got [${tt.shape}]`);
    const d = Float64Array.from(tt.data as ArrayLike<number | bigint>, Number);
    const bad = d.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new InputError(`${file}: '${name}' has a non-finite value at model ${Math.floor(bad / n)}, example ${bad % n}`);
    signals[k as SignalName] = d;
  }
  if (Object.keys(signals).length === 0) throw new InputError(`${file}: no signal tensor (phi, p_y, neg_loss, ...)`);
  const classes = Number(metadata.classes ?? Math.max(...labels) + 1);
  const target = Number(metadata.target ?? 0);
  if (!Number.isInteger(target) || target < 0 || target >= models) throw new InputError(`${file}: target ${metadata.target} out of range`);
  const scores: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(tensors)) if (k.startsWith('score.')) scores[k.slice(6)] = v.data as Float64Array;
  return { signals, inclusion, labels, classes, target, scores, ...(queries > 1 ? { queries } : {}) };
}

/**
 * Signal matrices from per-model [n, queries, classes] logits: phi keeps every query ([models x n x queries],
 * for LiRA, which averages per-query log-likelihood ratios, and phi-threshold, which averages phi); every other
 * signal (RMIA's p_y, the threshold attacks') is of the first query, the image itself.
 */
export function querySignals(logits: Float32Array[], labels: Int32Array, queries: number, classes: number): Record<SignalName, Float64Array> {
  const n = labels.length;
  if (queries === 1) return computeSignalMatrices(logits, labels, n, classes);
  const rep = new Int32Array(n * queries);
  for (let i = 0; i < n; i++) rep.fill(labels[i], i * queries, (i + 1) * queries);
  const all = computeSignalMatrices(logits, rep, n * queries, classes);
  const out = { ...all } as Record<SignalName, Float64Array>;
  for (const k of Object.keys(out) as SignalName[]) {
    if (k === 'phi') continue;
    const src = all[k];
    const d = new Float64Array(logits.length * n);
    for (let r = 0; r < logits.length * n; r++) d[r] = src[r * queries];
    out[k] = d;
  }
  return out;
}

/** Trains (or reuses) the references, attacks the run's model and writes the audit directory. */
export async function audit(run: Run, o: AuditOptions): Promise<AuditJson> {
  const t0 = performance.now();
  const recipe = run.recipe;
  const data = await loadData(recipe, o);
  const pop = data.split.population.length;
  if (run.members.length !== pop) throw new InputError(`${run.dir}: membership has ${run.members.length} entries, population ${pop}`);
  const seed = o.seed ?? 0;
  const queries = o.queries ?? defaultQueries(data.shape);
  checkQueries(queries, data.shape);
  const { jobs, inclusion: refInc } = referenceJobs(recipe, pop, o.refs, seed, o.refBlock);
  let done = 0;
  const threads = o.threads ?? trainingThreads();
  const refs = await trainReferences(jobs, {
    ...o,
    queries,
    threads,
    onDone: (_i, r) => o.onReference?.(++done, jobs.length, r),
    onEpoch: o.onEpoch,
  });
  const tRefs = performance.now();
  const model = await loadRunModel(run, data);
  const target = evaluate(model, data, run.members, recipe, queries);
  model.dispose();
  const inclusion = new Uint8Array((o.refs + 1) * pop);
  inclusion.set(run.members, 0);
  inclusion.set(refInc, pop);
  const signals = querySignals([target.logits, ...refs.map((r) => r.logits)], data.populationLabels, queries, target.classes);
  const set: SignalSet = { signals, inclusion, labels: data.populationLabels, classes: target.classes, target: 0, queries };
  const attacks = o.attacks ?? DEFAULT_ATTACKS;
  const { results, leaveOneOut } = attackSignals(set, { attacks, leaveOneOut: o.leaveOneOut, rmiaA: o.rmiaA });
  const uncertainty: UncertaintyOptions = { resamples: o.resamples ?? DEFAULT_RESAMPLES, delta: o.delta ?? recipe.dp?.delta ?? DEFAULT_DELTA, seed };
  const summaries = summarizeAttacks(results, run.members, uncertainty);
  const accounted = accountedEpsilon(run);
  const tEnd = performance.now();
  const json: AuditJson = {
    format: 'cwrf-audit/1',
    created: new Date().toISOString(),
    run: run.dir,
    recipe,
    settings: {
      refs: o.refs,
      ...(o.refBlock !== undefined && o.refBlock !== o.refs ? { refBlock: o.refBlock } : {}),
      seed,
      attacks,
      leaveOneOut: Boolean(o.leaveOneOut),
      rmiaA: o.rmiaA ?? 'tune',
      tprRule: 'TPR at the largest ROC point with FPR <= x (LiRA plot.py uses <)',
      populationSize: pop,
      queries,
      release: releaseLabel(recipe),
      uncertainty: { level: CONFIDENCE, ...uncertainty },
    },
    epsilon: { audited: bestAudited(summaries, uncertainty.delta), ...(accounted ? { accounted } : {}) },
    target: { trainAccuracy: target.trainAccuracy, testAccuracy: target.testAccuracy },
    references: refs.map((r, k) => ({
      seed: jobs[k].recipe.seed,
      trainAccuracy: r.trainAccuracy,
      testAccuracy: r.testAccuracy,
      seconds: r.seconds,
      cached: r.cached,
    })),
    attacks: summaries,
    ...(leaveOneOut ? { leaveOneOut } : {}),
    seconds: { references: (tRefs - t0) / 1000, attacks: (tEnd - tRefs) / 1000, total: (tEnd - t0) / 1000 },
    threads,
    versions: versions(),
  };
  let html: string | undefined;
  if (o.render) {
    const models: ReportModel[] = [reportModel(run.dir, json, results, run.members)];
    for (const dir of o.compare ?? []) models.unshift(await loadAuditForReport(dir));
    html = await o.render({
      title: `cwrf audit: ${run.dir}`,
      subtitle: `${recipe.dataset}, ${recipe.model.arch}, ${o.refs} reference models, population ${pop}`,
      models,
      baseline: o.compare?.length ? models[0].name : undefined,
      settings: { ...json.settings },
    });
  }
  await writeDirAtomic(o.out, async (tmp) => {
    await writeSignals(join(tmp, 'signals.safetensors'), set, results);
    await writeJsonAtomic(join(tmp, 'audit.json'), json);
    if (html !== undefined) await writeFileAtomic(join(tmp, 'report.html'), html);
  });
  return json;
}


/** A model's entry in a report, from its audit results (and their summaries, for the intervals). */
export function reportModel(
  name: string,
  json: Pick<AuditJson, 'target' | 'recipe' | 'epsilon'> & { attacks?: AttackSummary[] },
  results: { name: string; scores: Float64Array; metrics: Summary }[],
  members: Uint8Array,
): ReportModel {
  return {
    name,
    trainAccuracy: json.target.trainAccuracy,
    testAccuracy: json.target.testAccuracy,
    ...(json.epsilon?.accounted ? { accounted: json.epsilon.accounted } : {}),
    attacks: results.map((r) => {
      const c = roc(r.scores, members);
      const s = json.attacks?.find((a) => a.name === r.name);
      return {
        name: r.name,
        metrics: r.metrics,
        ...(s?.intervals ? { intervals: s.intervals } : {}),
        ...(s?.auditedEpsilon ? { auditedEpsilon: s.auditedEpsilon } : {}),
        roc: { fpr: c.fpr, tpr: c.tpr },
        memberScores: r.scores.filter((_, i) => members[i]),
        nonMemberScores: r.scores.filter((_, i) => !members[i]),
      };
    }),
    settings: { objective: json.recipe.objective, defenses: json.recipe.defenses, dp: json.recipe.dp, release: releaseLabel(json.recipe) },
  };
}

/** Loads an earlier audit directory as a report entry. */
export async function loadAuditForReport(dir: string): Promise<ReportModel> {
  const file = join(dir, 'audit.json');
  if (!existsSync(file)) throw new InputError(`${dir} is not a cwrf audit (no audit.json)`);
  const json = JSON.parse(readFileSync(file, 'utf8')) as AuditJson;
  const s = await readSignals(join(dir, 'signals.safetensors'));
  const n = s.labels.length;
  const members = s.inclusion.subarray(s.target * n, (s.target + 1) * n);
  const results = Object.entries(s.scores).map(([name, scores]) => ({ name, scores, metrics: summarize(scores, members) }));
  return reportModel(json.run, json, results, members);
}
