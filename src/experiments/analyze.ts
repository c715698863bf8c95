// `analyze`: the paper's three insights, measured on one run.
//  (i)   concentration: share of the total PVE score in the top 0.1/1/10% of weights, and accuracy / attack
//        AUC when only the top r are rewound (no fine-tune), over a sweep of r;
//  (ii)  entanglement: Pearson and Spearman r between PVE and TFO scores, overall and per layer type, and the
//        overlap of their top-r sets;
//  (iii) location vs value: at equal r, rewind-critical + fine-tune (CWRF), prune-critical, rewind random
//        locations + fine-tune, and critical weights re-randomised + fine-tune.
// Attack AUCs here use the run's audit references (trained by the run's recipe, so non-adaptive to the edit) with
// the modified model as target.
import { join } from 'node:path';
import { runAttacks, type AttackName } from '../attacks/index.ts';
import { applyCwrf, criticalMasks, cwrfStage, selected, disposeMasks, disposeScores, rewind, scoreModel, type CwrfStage, type Scores } from '../defenses/index.ts';
import { Generator } from '../engine/index.ts';
import { buildModel, parameterKinds, type Module, type ParamKind } from '../nn/index.ts';
import { loadData, type DataContext, type Recipe } from '../train/index.ts';
import { Rng } from '../util/rng.ts';
import { querySignals, readSignals, type SignalSet } from './audit.ts';
import { evaluate, loadRunModel, type Run } from './run.ts';
import { loadState } from '../nn/index.ts';
import type { LoadOptions } from '../data/index.ts';
import type { AnalyzeJson, VariantResult } from '../report/analyze-report.ts';

export type { AnalyzeJson, VariantResult } from '../report/analyze-report.ts';

export const ANALYZE_ATTACKS: AttackName[] = ['lira-online-fixed', 'loss'];

function flatScores(s: Scores, names: string[]): Float64Array {
  const parts = names.map((n) => s.get(n)!.toFloat64());
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Pearson correlation. */
export function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] - ma;
    const y = b[i] - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Average ranks (ties share their mean rank). */
export function ranks(a: Float64Array): Float64Array {
  const idx = Uint32Array.from({ length: a.length }, (_, i) => i).sort((i, j) => a[i] - a[j]);
  const r = new Float64Array(a.length);
  for (let s = 0; s < idx.length; ) {
    let e = s;
    while (e + 1 < idx.length && a[idx[e + 1]] === a[idx[s]]) e++;
    for (let k = s; k <= e; k++) r[idx[k]] = (s + e) / 2;
    s = e + 1;
  }
  return r;
}

export function spearman(a: Float64Array, b: Float64Array): number {
  return pearson(ranks(a), ranks(b));
}

/** Share of the total held by the top `frac` of the values. */
export function topShare(a: Float64Array, frac: number): number {
  const s = Float64Array.from(a).sort().reverse();
  const k = Math.max(1, Math.round(frac * s.length));
  let top = 0;
  let all = 0;
  for (let i = 0; i < s.length; i++) {
    all += s[i];
    if (i < k) top += s[i];
  }
  return top / all;
}

/** |top-k(a) ∩ top-k(b)| / k. */
export function topOverlap(a: Float64Array, b: Float64Array, frac: number): number {
  const k = Math.max(1, Math.round(frac * a.length));
  const top = (x: Float64Array) => new Set(Uint32Array.from({ length: x.length }, (_, i) => i).sort((i, j) => x[j] - x[i]).subarray(0, k));
  const ta = top(a);
  let both = 0;
  for (const i of top(b)) if (ta.has(i)) both++;
  return both / k;
}

/** A parameter's group in the per-type entanglement table: its kind (src/nn/param-kinds.ts), biases apart. */
function layerType(kind: ParamKind | undefined, shape: number[]): string {
  if (shape.length === 1 && (kind === 'conv' || kind === 'linear')) return 'bias';
  return kind ?? 'other';
}

/** Attacks the model with the audit's references, the model standing in as the target row. */
function attackModel(model: Module, data: DataContext, members: Uint8Array, refs: SignalSet, name: string, recipe: Recipe): VariantResult {
  const q = refs.queries ?? 1;
  const e = evaluate(model, data, members, recipe, q);
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
  auditDir: string;
  ratio: number;
  sweep: number[];
  stage?: Partial<CwrfStage>;
  onStep?: (what: string) => void;
}

/** Measures the three insights on a run whose audit (references) is in `auditDir`. */
export async function analyze(run: Run, o: AnalyzeOptions): Promise<AnalyzeJson> {
  const data = await loadData(run.recipe, o);
  const refs = await readSignals(join(o.auditDir, 'signals.safetensors'));
  const init = await loadState(join(run.dir, 'init.safetensors'));
  const target = await loadRunModel(run, data);
  const fresh = (seed: number) => buildModel(run.recipe.model, data.shape, data.classes, new Generator(seed));
  const ctx = (model: Module) => ({ recipe: run.recipe, data, members: run.members, trained: { model, init, history: [] } });
  const base = cwrfStage('cwrf', { ...o.stage, ratio: o.ratio }, run.recipe);
  o.onStep?.('scores');
  const pve = scoreModel(base, ctx(target));
  const tfo = scoreModel({ score: 'tfo', pve: base.pve }, ctx(target));
  const kindOf = parameterKinds(target);
  const names = target.namedParameters().map(([n]) => n).filter((n) => selected(pve.get(n)!, base.params, kindOf.get(n)));
  const fp = flatScores(pve, names);
  const ft = flatScores(tfo, names);

  const perType: AnalyzeJson['entanglement']['perType'] = {};
  const groups = new Map<string, string[]>();
  const kinds = kindOf;
  for (const [n, p] of target.namedParameters()) {
    const t = layerType(kinds.get(n), p.shape);
    groups.set(t, [...(groups.get(t) ?? []), n]);
  }
  for (const [t, ns] of groups) {
    const a = flatScores(pve, ns);
    const b = flatScores(tfo, ns);
    perType[t] = { pearson: pearson(a, b), spearman: spearman(a, b), weights: a.length };
  }
  const rng = new Rng(Rng.deriveSeed(run.recipe.seed, 'analyze-sample'));
  const sampleIdx = Array.from({ length: Math.min(2000, fp.length) }, () => rng.int(fp.length));

  o.onStep?.('baseline');
  const baseline = attackModel(target, data, run.members, refs, 'the run as trained', run.recipe);
  const sweep: AnalyzeJson['concentration']['sweep'] = [];
  for (const r of o.sweep) {
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
  ];
  const locationVsValue: VariantResult[] = [];
  for (const [label, opts] of variants) {
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
    audit: o.auditDir,
    ratio: o.ratio,
    concentration: { topShare: { '0.1%': topShare(fp, 0.001), '1%': topShare(fp, 0.01), '10%': topShare(fp, 0.1) }, sweep },
    entanglement: {
      pearson: pearson(fp, ft),
      spearman: spearman(fp, ft),
      perType,
      topOverlap: Object.fromEntries([0.001, 0.01, 0.1].map((f) => [`${f * 100}%`, topOverlap(fp, ft, f)])),
    },
    locationVsValue,
    baseline,
    sample: { pve: sampleIdx.map((i) => fp[i]), tfo: sampleIdx.map((i) => ft[i]) },
  };
  disposeScores(pve);
  disposeScores(tfo);
  target.dispose();
  return json;
}
