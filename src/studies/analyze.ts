// `analyze`: the paper's three insights, measured on one run.
//  (i)   concentration: share of the total PVE score in the top 0.1/1/10% of weights, and accuracy / attack
//        AUC when only the top r are rewound (no fine-tune), over a sweep of r;
//  (ii)  entanglement: Pearson and Spearman r between PVE and TFO scores, overall and per layer type, and the
//        overlap of their top-r sets;
//  (iii) location vs value: at equal r, rewind-critical, prune-critical, rewind random locations, and critical
//        weights re-randomised (fresh random-init values), each with and without the fine-tune;
//  (iv)  the paper's fourth observation: are the critical weights the least moved from init? Rank correlation
//        of PVE with |theta - theta0| and the share of the critical set in the least-moved decile.
// Attack AUCs here use the run's audit references (trained by the run's recipe, so non-adaptive to the edit) with
// the modified model as target; without an audit (`auditDir` absent) only accuracies are measured.
import { join } from 'node:path';
import { runAttacks, type AttackName } from '../attacks/index.ts';
import { applyCwrf, criticalMasks, cwrfStage, selected, disposeMasks, disposeScores, rewind, scoreModel, type CwrfStage, type Scores } from '../defenses/index.ts';
import { Generator, type Tensor } from '../engine/index.ts';
import { buildModel, parameterKinds, type Module } from '../nn/index.ts';
import { loadData, type DataContext, type Recipe } from '../train/index.ts';
import { Rng } from '../util/rng.ts';
import { querySignals, readSignals, type SignalSet } from '../audit/signals.ts';
import { evaluate, loadRunModel, type Run } from '../runs/run.ts';
import { loadState } from '../nn/index.ts';
import type { LoadOptions } from '../data/index.ts';
import { analysisGroups } from './analyze-groups.ts';
import { leastMovedShare, movement, pearson, spearman, topOverlap, topShare } from './weight-stats.ts';
import type { AnalyzeJson, VariantResult } from './results.ts';

export type { AnalyzeJson, VariantResult } from './results.ts';
export { pearson, ranks, spearman, topOverlap, topShare } from './weight-stats.ts';

export const ANALYZE_ATTACKS: AttackName[] = ['lira-online-fixed', 'loss'];

/** Parts of `analyze` that cost model evaluations or fine-tunes and may be skipped to bound its cost. */
export const ANALYZE_PARTS = ['sweep', 'location'] as const;
export type AnalyzePart = (typeof ANALYZE_PARTS)[number];

const LEAST_MOVED = 0.1;

function concat(parts: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
const flatParams = (params: [string, Tensor][], names: string[]) => {
  const m = new Map(params);
  return concat(names.map((n) => m.get(n)!.toFloat64()));
};
const flatState = (state: Record<string, { data: ArrayLike<number> | BigInt64Array }>, names: string[]) =>
  concat(names.map((n) => Float64Array.from(state[n].data as ArrayLike<number>)));

const flatScores = (s: Scores, names: string[]): Float64Array => concat(names.map((n) => s.get(n)!.toFloat64()));

/** Attacks the model with the audit's references, the model standing in as the target row (accuracies only without references). */
function attackModel(model: Module, data: DataContext, members: Uint8Array, refs: SignalSet | undefined, name: string, recipe: Recipe): VariantResult {
  const q = refs?.queries ?? 1;
  const e = evaluate(model, data, members, recipe, q);
  if (!refs) return { name, trainAccuracy: e.trainAccuracy, testAccuracy: e.testAccuracy, attacks: {} };
  const s = querySignals([e.logits], refs.labels, q, e.classes);
  const signals = Object.fromEntries(
    Object.entries(refs.signals).map(([k, m]) => {
      const copy = Float64Array.from(m);
      const row = s[k as keyof typeof s];
      copy.set(row, refs.target * row.length);
      return [k, copy];
    }),
  ) as SignalSet['signals'];
  const res = runAttacks({ signals, inclusion: refs.inclusion, labels: refs.labels, classes: refs.classes, target: refs.target, attacks: ANALYZE_ATTACKS, lira: { queries: q } });
  return { name, trainAccuracy: e.trainAccuracy, testAccuracy: e.testAccuracy, attacks: Object.fromEntries(res.map((r) => [r.name, r.metrics])) };
}

export interface AnalyzeOptions extends LoadOptions {
  /** Audit whose references the attacks use; absent: no attacks (accuracies and weight statistics only). */
  auditDir?: string;
  ratio: number;
  sweep: number[];
  stage?: Partial<CwrfStage>;
  /** Parts left out (recorded in the result as `skipped`). */
  skip?: readonly AnalyzePart[];
  onStep?: (what: string) => void;
}

/** Measures the three insights on a run whose audit (references) is in `auditDir`. */
export async function analyze(run: Run, o: AnalyzeOptions): Promise<AnalyzeJson> {
  const data = await loadData(run.recipe, o);
  const refs = o.auditDir === undefined ? undefined : await readSignals(join(o.auditDir, 'signals.safetensors'));
  const init = await loadState(join(run.dir, 'init.safetensors'));
  const target = await loadRunModel(run, data);
  const fresh = (seed: number) => buildModel(run.recipe.model, data.shape, data.classes, new Generator(seed));
  const ctx = (model: Module) => ({ recipe: run.recipe, data, members: run.members, trained: { model, init, history: [] } });
  const base = cwrfStage('cwrf', { ...o.stage, ratio: o.ratio }, run.recipe);
  o.onStep?.('scores');
  const pve = scoreModel(base, ctx(target));
  const tfo = scoreModel({ score: 'tfo', pve: base.pve }, ctx(target));
  const kinds = parameterKinds(target);
  const names = target.namedParameters().map(([n]) => n).filter((n) => selected(pve.get(n)!, base.params, kinds.get(n)));
  const fp = flatScores(pve, names);
  const ft = flatScores(tfo, names);

  const trainedFlat = flatParams(target.namedParameters(), names);
  const moved = movement(trainedFlat, flatState(init, names));
  const perType: AnalyzeJson['entanglement']['perType'] = {};
  const movedPerType: AnalyzeJson['movement']['perType'] = {};
  const groups = analysisGroups(target.namedParameters().map(([n, p]) => [n, p.shape] as const), kinds);
  for (const [t, ns] of groups) {
    const a = flatScores(pve, ns);
    const b = flatScores(tfo, ns);
    perType[t] = { pearson: pearson(a, b), spearman: spearman(a, b), weights: a.length };
    movedPerType[t] = { spearman: spearman(a, movement(flatParams(target.namedParameters(), ns), flatState(init, ns))), weights: a.length };
  }
  const rng = new Rng(Rng.deriveSeed(run.recipe.seed, 'analyze-sample'));
  const sampleIdx = Array.from({ length: Math.min(2000, fp.length) }, () => rng.int(fp.length));

  o.onStep?.('baseline');
  const baseline = attackModel(target, data, run.members, refs, 'the run as trained', run.recipe);
  const sweep: AnalyzeJson['concentration']['sweep'] = [];
  const skip = new Set(o.skip ?? []);
  for (const r of skip.has('sweep') ? [] : o.sweep) {
    o.onStep?.(`rewind top ${r}`);
    const m = fresh(run.recipe.seed);
    m.copyFrom(target);
    const masks = criticalMasks(pve, { ...base, ratio: r }, kinds);
    rewind(m, masks, 'init', init, () => fresh(0));
    disposeMasks(masks);
    sweep.push({ ratio: r, ...attackModel(m, data, run.members, refs, `rewind top ${r * 100}%`, run.recipe) });
    m.dispose();
  }
  const variants: [string, Partial<CwrfStage>][] = [
    ['rewind critical + fine-tune (CWRF)', {}],
    ['prune critical (zero, no fine-tune)', { rewind: 'zero', epochs: 0 }],
    ['rewind random locations + fine-tune', { score: 'random' }],
    ['critical re-randomised + fine-tune', { rewind: 'random-init' }],
    ['rewind critical (no fine-tune)', { epochs: 0 }],
    ['rewind random locations (no fine-tune)', { score: 'random', epochs: 0 }],
    ['critical re-randomised (no fine-tune)', { rewind: 'random-init', epochs: 0 }],
  ];
  const locationVsValue: VariantResult[] = [];
  for (const [label, opts] of skip.has('location') ? [] : variants) {
    o.onStep?.(label);
    const m = fresh(run.recipe.seed);
    m.copyFrom(target);
    applyCwrf({ ...base, ...opts }, ctx(m));
    locationVsValue.push(attackModel(m, data, run.members, refs, label, run.recipe));
    m.dispose();
  }
  const json: AnalyzeJson = {
    format: 'cwrf-analyze/1',
    run: run.dir,
    audit: o.auditDir ?? null,
    ratio: o.ratio,
    skipped: ANALYZE_PARTS.filter((p) => skip.has(p)),
    concentration: { topShare: { '0.1%': topShare(fp, 0.001), '1%': topShare(fp, 0.01), '10%': topShare(fp, 0.1) }, sweep },
    entanglement: {
      pearson: pearson(fp, ft),
      spearman: spearman(fp, ft),
      perType,
      topOverlap: Object.fromEntries([0.001, 0.01, 0.1].map((f) => [`${f * 100}%`, topOverlap(fp, ft, f)])),
    },
    locationVsValue,
    movement: {
      pearson: pearson(fp, moved),
      spearman: spearman(fp, moved),
      leastMovedShare: leastMovedShare(fp, moved, o.ratio, LEAST_MOVED),
      leastMovedFraction: LEAST_MOVED,
      perType: movedPerType,
    },
    baseline,
    sample: { pve: sampleIdx.map((i) => fp[i]), tfo: sampleIdx.map((i) => ft[i]) },
  };
  disposeScores(pve);
  disposeScores(tfo);
  target.dispose();
  return json;
}
