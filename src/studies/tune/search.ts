// `cwrf tune`'s search: successive halving over defense candidates of one run, cheap audits first, strong last,
// selection on the defender's own data only (validation accuracy on a carved half of the reference set; the goal
// metric on the population the defender knows the membership of), then a fresh audit of the chosen candidate, the
// undefended run and the best single baseline with reference seeds the search never used, and their accuracy on
// the untouched test set. Every step writes into `out` and is reused on a rerun, so a killed search continues.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { roc, type AttackName } from '../../attacks/index.ts';
import { tensor, tidy } from '../../engine/index.ts';
import { audit, type AuditJson, type AuditOptions } from '../../audit/audit.ts';
import { readSignals } from '../../audit/signals.ts';
import { defend } from '../../runs/defend.ts';
import { loadRun, loadRunModel, type Run } from '../../runs/run.ts';
import type { LoadOptions } from '../../data/index.ts';
import { accuracy, loadData, predictLogits, type DataContext, type DefenseStage, type Recipe } from '../../train/index.ts';
import { InputError } from '../../util/errors.ts';
import { Rng } from '../../util/rng.ts';
import { goalValue, type GoalMetric } from './goal.ts';
import { paretoFront, type Scored } from '../../report/pareto.ts';
import { choose, halvingSchedule, rank, scheduleCost, type Rung } from './select.ts';

/** A defense to try on the run: a stage on its trained weights, or a retrain from scratch. */
export interface Candidate {
  /** Stable id (its folder under `out/candidates`). */
  id: string;
  label: string;
  action: { stage: DefenseStage } | { retrain: Recipe };
  /** A base defense alone (no weight-level stage): the single baselines the chosen one is compared with. */
  baseline: boolean;
  /** The values it was built from, for the report. */
  settings: Record<string, number | string>;
}

/** What a search measured of a candidate at one rung. */
export interface RungResult extends Scored {
  refs: number;
  /** Test accuracy, recorded for the report; never used to select. */
  testAccuracy: number;
}

/** A candidate's record in tune.json. */
export interface CandidateRecord {
  id: string;
  label: string;
  baseline: boolean;
  settings: Record<string, number | string>;
  rungs: RungResult[];
  /** The last rung it reached (0-based). */
  reached: number;
}

/** The fresh audit of a model: new reference seeds, the untouched test set. */
export interface FreshResult {
  id: string;
  label: string;
  testAccuracy: number;
  metric: number;
  auc: number;
  tprAt0_1pct: number;
  refs: number;
}

/** tune.json: the same bytes for the same command (wall-clock times are kept apart, in timings.json). */
export interface TuneJson {
  format: 'cwrf-tune/1';
  run: string;
  goal: GoalMetric & { max?: number };
  maxAccuracyDrop: number;
  schedule: Rung[];
  /** Candidates in the space, and the budget in models (null: none; the search draws what it affords). */
  spaceSize: number;
  budgetModels: number | null;
  /** Models the schedule trains (targets and references). */
  plannedModels: number;
  /** Validation accuracy of the undefended run (the accuracy budget is measured from it). */
  baseValidationAccuracy: number;
  candidates: CandidateRecord[];
  front: string[];
  chosen: string | null;
  /** The search's own verdict (optimistic: the minimum of noisy estimates); null without a goal. */
  searchMeetsGoal: boolean | null;
  /** The fresh audits: chosen, undefended, best single baseline. */
  fresh: FreshResult[];
  /** Whether the goal holds on the fresh audit of the chosen candidate (and its test accuracy is inside the budget); null without a goal or a choice. */
  freshMeetsGoal: boolean | null;
}

export interface SearchOptions extends LoadOptions {
  out: string;
  goal: GoalMetric & { max?: number };
  /** Largest accepted accuracy loss, as a fraction (0.01 = 1 point). */
  maxAccuracyDrop: number;
  /** Most models the search may train (targets and references); candidates are dropped (seeded) to fit. */
  budgetModels?: number;
  minRefs?: number;
  maxRefs?: number;
  eta?: number;
  /** References of the fresh audits (default maxRefs). */
  freshRefs?: number;
  seed?: number;
  workers?: number;
  threads?: number;
  executor?: AuditOptions['executor'];
  onProgress?: (p: { rung: number; rungs: number; candidate: string; left: number; done: number; total: number; etaSeconds: number | null }) => void;
}

/** The audit seed of the search's rungs; the fresh audits use another the search never uses. */
const SEARCH_SEED = 1;
const FRESH_SEED = 7919;

/** A seeded half of the defender's reference rows: the validation split selection reads accuracy on. */
export function validationRows(data: DataContext, seed: number): Int32Array {
  const ref = data.reference.toInt32();
  const perm = Rng.derive(seed, 'tune-validation').permutation(ref.length);
  return Int32Array.from(perm.subarray(0, Math.max(1, Math.floor(ref.length / 2))), (i) => ref[i]).sort();
}

async function validationAccuracy(run: Run, data: DataContext, rows: Int32Array): Promise<number> {
  const model = await loadRunModel(run, data);
  try {
    const idx = tensor(rows, [rows.length], 'int64');
    const { logits, classes } = predictLogits(model, data.x, idx);
    const labels = tidy(() => data.y.indexSelect(0, idx).toInt32());
    idx.dispose();
    return accuracy(logits, classes, labels);
  } finally {
    model.dispose();
  }
}

/** The goal metric of an audit directory's attack (from the target's scores in its signals file). */
export async function auditMetric(dir: string, attack: AttackName, g: GoalMetric): Promise<number> {
  const s = await readSignals(join(dir, 'signals.safetensors'));
  const scores = s.scores[attack];
  if (!scores) throw new InputError(`${dir}: no scores of attack ${attack}`);
  const n = s.labels.length;
  return goalValue(g, roc(scores, s.inclusion.subarray(s.target * n, (s.target + 1) * n)));
}

function readAuditJson(dir: string): AuditJson | null {
  const f = join(dir, 'audit.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as AuditJson) : null;
}

/** Runs (or resumes) the search; writes nothing but the candidates' runs and audits (the caller writes tune.json). */
export async function search(run: Run, candidates: Candidate[], o: SearchOptions): Promise<TuneJson> {
  if (!candidates.length) throw new InputError('tune: the search space is empty');
  const minRefs = o.minRefs ?? 2;
  const maxRefs = o.maxRefs ?? 8;
  const eta = o.eta ?? 2;
  const seed = o.seed ?? 0;
  let pool = candidates;
  let schedule = halvingSchedule(pool.length, minRefs, maxRefs, eta);
  if (o.budgetModels !== undefined) {
    const one = scheduleCost(halvingSchedule(1, minRefs, maxRefs, eta), true);
    if (o.budgetModels < one) throw new InputError(`tune: a budget of ${o.budgetModels} models is less than one candidate costs (${one}: its defense and ${maxRefs} references)`);
    // the most candidates the budget affords, a seeded draw of the space (kept in the space's order)
    let n = candidates.length;
    while (n > 1 && scheduleCost(halvingSchedule(n, minRefs, maxRefs, eta), true) > o.budgetModels) n--;
    const drawn = new Set(Rng.derive(seed, 'tune-candidates').shuffle([...candidates]).slice(0, n));
    pool = candidates.filter((c) => drawn.has(c));
    schedule = halvingSchedule(pool.length, minRefs, maxRefs, eta);
  }
  const planned = scheduleCost(schedule, true);
  const data = await loadData(run.recipe, o);
  const rows = validationRows(data, seed);
  const baseValidationAccuracy = await validationAccuracy(run, data, rows);
  const minAccuracy = baseValidationAccuracy - o.maxAccuracyDrop;
  const records = new Map<string, CandidateRecord>(pool.map((c) => [c.id, { id: c.id, label: c.label, baseline: c.baseline, settings: c.settings, rungs: [], reached: 0 }]));
  const runs = new Map<string, Run>();
  const dirOf = (c: Candidate) => join(o.out, 'candidates', c.id);
  const auditOpts = { ...o, workers: o.workers, threads: o.threads, executor: o.executor, attacks: [o.goal.attack], refBlock: minRefs, seed: SEARCH_SEED };
  const perModel: number[] = [];
  let done = 0;
  let alive = pool;
  for (const [r, rung] of schedule.entries()) {
    for (const [k, c] of alive.entries()) {
      const tc = performance.now();
      const runDir = join(dirOf(c), 'run');
      let defended = runs.get(c.id);
      if (!defended) {
        mkdirSync(dirOf(c), { recursive: true });
        defended = existsSync(join(runDir, 'run.json')) ? await loadRun(runDir) : await defend(run, c.action, { ...o, out: runDir });
        runs.set(c.id, defended);
      }
      const auditDir = join(dirOf(c), `audit-r${rung.refs}`);
      if (!readAuditJson(auditDir)) await audit(defended, { ...auditOpts, refs: rung.refs, out: auditDir });
      const rec = records.get(c.id)!;
      rec.reached = r;
      if (!rec.rungs.some((x) => x.refs === rung.refs))
        rec.rungs.push({
          id: c.id,
          refs: rung.refs,
          accuracy: await validationAccuracy(defended, data, rows),
          metric: await auditMetric(auditDir, o.goal.attack, o.goal),
          testAccuracy: defended.metrics.testAccuracy,
        });
      perModel.push((performance.now() - tc) / 1000 / (1 + rung.refs));
      done++;
      const left = schedule.slice(r).reduce((a, x, i) => a + (i === 0 ? x.candidates - k - 1 : x.candidates), 0);
      const mean = perModel.reduce((a, b) => a + b, 0) / perModel.length;
      o.onProgress?.({ rung: r + 1, rungs: schedule.length, candidate: c.label, left, done, total: schedule.reduce((a, x) => a + x.candidates, 0), etaSeconds: perModel.length ? left * mean * (1 + rung.refs) : null });
    }
    if (r === schedule.length - 1) break;
    const scored = alive.map((c) => records.get(c.id)!.rungs.find((x) => x.refs === rung.refs)!);
    const keep = new Set(rank(scored, minAccuracy).slice(0, schedule[r + 1].candidates).map((x) => x.id));
    alive = alive.filter((c) => keep.has(c.id));
  }
  const last = (id: string) => records.get(id)!.rungs.at(-1)!;
  const finalRung = alive.map((c) => last(c.id));
  const { chosen, meetsGoal } = choose(finalRung, minAccuracy, o.goal.max ?? Infinity);
  // the best single baseline: the base defense alone that went furthest and ranks best there
  const baselines = pool.filter((c) => c.baseline).map((c) => records.get(c.id)!);
  const furthest = Math.max(-1, ...baselines.map((b) => b.reached));
  const bestBaseline = rank(
    baselines.filter((b) => b.reached === furthest).map((b) => last(b.id)),
    minAccuracy,
  )[0];
  const fresh: FreshResult[] = [];
  const freshRefs = o.freshRefs ?? maxRefs;
  const freshAudit = async (id: string, label: string, target: Run, dir: string) => {
    if (!readAuditJson(dir)) await audit(target, { ...auditOpts, refBlock: undefined, seed: FRESH_SEED, attacks: undefined, refs: freshRefs, out: dir });
    const a = readAuditJson(dir)!;
    const s = a.attacks.find((x) => x.name === o.goal.attack)!;
    fresh.push({ id, label, testAccuracy: target.metrics.testAccuracy, metric: await auditMetric(dir, o.goal.attack, o.goal), auc: s.metrics.auc, tprAt0_1pct: s.metrics.tprAt0_1pct, refs: freshRefs });
  };
  if (chosen) await freshAudit(chosen.id, records.get(chosen.id)!.label, runs.get(chosen.id)!, join(dirOf(pool.find((c) => c.id === chosen.id)!), 'fresh-audit'));
  await freshAudit('undefended', 'undefended', run, join(o.out, 'undefended', 'fresh-audit'));
  if (bestBaseline && bestBaseline.id !== chosen?.id)
    await freshAudit(bestBaseline.id, records.get(bestBaseline.id)!.label, runs.get(bestBaseline.id)!, join(dirOf(pool.find((c) => c.id === bestBaseline.id)!), 'fresh-audit'));
  const chosenFresh = chosen ? fresh[0] : null;
  const minTest = run.metrics.testAccuracy - o.maxAccuracyDrop;
  return {
    format: 'cwrf-tune/1',
    run: run.dir,
    goal: o.goal,
    maxAccuracyDrop: o.maxAccuracyDrop,
    schedule,
    spaceSize: candidates.length,
    budgetModels: o.budgetModels ?? null,
    plannedModels: planned,
    baseValidationAccuracy,
    candidates: [...records.values()],
    front: paretoFront([...records.values()].map((r) => last(r.id))).map((x) => x.id),
    chosen: chosen?.id ?? null,
    searchMeetsGoal: o.goal.max === undefined ? null : meetsGoal,
    fresh,
    freshMeetsGoal: chosenFresh && o.goal.max !== undefined ? chosenFresh.metric <= o.goal.max && chosenFresh.testAccuracy >= minTest : null,
  };
}
