// The critical set: the top `ratio` of weights by score, as 0/1 masks shaped like each parameter.
import { cat, keep, noGrad, tidy, zeros, type Tensor } from '../../engine/index.ts';
import { InputError } from '../../util/errors.ts';
import { PARAM_KINDS, type ParamKind } from '../../nn/index.ts';
import type { Scores } from './scores/index.ts';

/** Rank all selected weights together, or each parameter separately. */
export const RANKS = ['global', 'per-layer'] as const;

export interface CriticalOptions {
  ratio: number;
  /** Rank all selected weights together, or each parameter separately. */
  rank: (typeof RANKS)[number];
  /**
   * 'weights': only weight matrices/kernels (dim >= 2); 'all': also biases and norm parameters; or a comma list
   * of parameter kinds (conv, linear, norm, attention, embedding, other: src/nn/param-kinds.ts), e.g. 'attention'.
   */
  params: 'weights' | 'all' | string;
}

/** Checks a --params value: weights, all, or a comma list of parameter kinds. */
export function checkParamsSelection(p: string): void {
  if (p === 'weights' || p === 'all') return;
  const bad = p.split(',').filter((k) => !(PARAM_KINDS as readonly string[]).includes(k.trim()));
  if (bad.length || !p.trim()) throw new InputError(`unknown params '${p}' (weights, all, or kinds: ${PARAM_KINDS.join(', ')})`);
}

/** 1.0 where a weight is critical, 0.0 elsewhere; parameters outside the selection have no entry. */
export type Masks = Map<string, Tensor>;

/** Whether a parameter takes part in ranking. */
export function selected(score: Tensor, which: CriticalOptions['params'], kind?: ParamKind): boolean {
  if (which === 'all') return true;
  if (which === 'weights') return score.shape.length >= 2;
  return kind !== undefined && which.split(',').some((k) => k.trim() === kind);
}

function topMask(flat: Tensor, k: number): Tensor {
  const m = zeros([flat.numel]);
  if (k > 0) {
    const [, idx] = flat.topk(k, 0, true, false);
    m.scatter_(0, idx, 1);
  }
  return m;
}

/** Masks of exactly round(ratio * n) critical weights (n = selected weights, or each layer's size). */
export function criticalMasks(scores: Scores, o: CriticalOptions, kinds?: Map<string, ParamKind>): Masks {
  if (!(o.ratio >= 0 && o.ratio <= 1)) throw new InputError(`ratio must be in [0, 1], got ${o.ratio}`);
  checkParamsSelection(o.params);
  const names = [...scores.keys()].filter((n) => selected(scores.get(n)!, o.params, kinds?.get(n)));
  if (names.length === 0) throw new InputError(`--params ${o.params}: the model has no such parameters`);
  const out: Masks = new Map();
  noGrad(() =>
    tidy(() => {
      if (o.rank === 'per-layer') {
        for (const n of names) {
          const s = scores.get(n)!;
          out.set(n, keep(topMask(s.flatten(), Math.round(o.ratio * s.numel)).view(s.shape)));
        }
        return;
      }
      const flat = cat(names.map((n) => scores.get(n)!.flatten()));
      const all = topMask(flat, Math.round(o.ratio * flat.numel));
      let off = 0;
      for (const n of names) {
        const s = scores.get(n)!;
        out.set(n, keep(all.narrow(0, off, s.numel).reshape(s.shape).clone()));
        off += s.numel;
      }
    }),
  );
  return out;
}

/** Number of critical weights in each mask, and in total. */
export function maskCounts(masks: Masks): { total: number; perParam: Record<string, number> } {
  const perParam: Record<string, number> = {};
  let total = 0;
  for (const [n, m] of masks) {
    const c = noGrad(() => tidy(() => m.sum().item()));
    perParam[n] = c;
    total += c;
  }
  return { total, perParam };
}

export function disposeMasks(m: Masks): void {
  for (const t of m.values()) t.dispose();
}
