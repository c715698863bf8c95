// An audit: train reference models that replay the target's recipe, score every population example
// with the attacks, and compare against the target's true membership.
//   audit.json          settings, metrics per attack (and leave-one-out mean/std), accuracies, timings
//   signals.safetensors per-model signals, inclusion matrix, labels, per-attack target scores (README)
//   report.html         self-contained report (tables, ROC curves)
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { DEFAULT_RESAMPLES, roc, summarize, type AttackName, type Summary } from '../attacks/index.ts';
import { balancedInclusion, type LoadOptions } from '../data/index.ts';
import { releaseLabel } from '../defenses/index.ts';
import { writeDirAtomic, writeJsonAtomic, writeFileAtomic } from '../io/atomic.ts';
import { loadData, withSeeds, type Recipe } from '../train/index.ts';
import { InputError } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';
import { trainReferences, type ReferenceExecutor, type RefJob, type RefResult } from '../references/refs.ts';
import { evaluate, loadRunModel, type Run } from '../runs/run.ts';
import { versions } from '../runs/versions.ts';
import { checkQueries, defaultQueries } from '../runs/queries.ts';
import { trainingThreads } from '../engine/threads.ts';
import type { AuditReportInput, ReportModel } from '../report/index.ts';
import {
  AttackSummary,
  CONFIDENCE,
  DEFAULT_ATTACKS,
  DEFAULT_DELTA,
  EpsilonSummary,
  UncertaintyOptions,
  accountedEpsilon,
  attackSignals,
  bestAudited,
  summarizeAttacks,
} from './attack-set.ts';
import { SignalSet, querySignals, readSignals, writeSignals } from './signals.ts';

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

/**
 * The reference jobs of an audit: the recipe replayed with per-reference seeds on balanced member halves. With
 * `block` (a divisor of `refs`), the design is nested: balanced blocks of `block` references each, the first block
 * being the `block`-reference audit's own, so audits with 8, 16, 32 and 64 references share their first models
 * (and the cache) and each is balanced (every example in exactly half of the references).
 */
export function referenceJobs(
  recipe: Recipe,
  populationSize: number,
  refs: number,
  seed: number,
  block = refs,
): { jobs: RefJob[]; inclusion: Uint8Array } {
  if (!Number.isInteger(refs) || refs < 2) throw new InputError(`--refs must be an integer >= 2, got ${refs}`);
  if (!Number.isInteger(block) || block < 2 || refs % block !== 0)
    throw new InputError(`--ref-block must be an integer >= 2 that divides --refs (${refs}), got ${block}`);
  const inc = new Uint8Array(refs * populationSize);
  for (let b = 0; b < refs / block; b++) {
    const labels = b === 0 ? [seed] : [seed, 'block', b];
    inc.set(
      balancedInclusion(block, populationSize, Rng.deriveSeed(recipe.split.seed, 'audit-inclusion', ...labels)),
      b * block * populationSize,
    );
  }
  const jobs = Array.from({ length: refs }, (_, k) => {
    const s = Rng.deriveSeed(recipe.seed, 'reference', seed, k) % 2 ** 31;
    return { recipe: withSeeds(recipe, s, s), members: inc.subarray(k * populationSize, (k + 1) * populationSize) };
  });
  return { jobs, inclusion: inc };
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
  const uncertainty: UncertaintyOptions = {
    resamples: o.resamples ?? DEFAULT_RESAMPLES,
    delta: o.delta ?? recipe.dp?.delta ?? DEFAULT_DELTA,
    seed,
  };
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
