// Rewinding: critical weights take their initial values (or zero = pruning, or fresh random initial values).
import { noGrad, tensor, tidy } from '../../engine/index.ts';
import type { Module, StateEntry } from '../../nn/index.ts';
import type { Masks } from './critical.ts';

/** What critical weights are set to: their initial values, zero (pruning) or fresh random initial values. */
export const REWINDS = ['init', 'zero', 'random-init'] as const;
export type RewindTo = (typeof REWINDS)[number];

/** theta = (1 - B) * theta + B * source, with source = theta0, 0, or a freshly initialised model (`fresh`). */
export function rewind(model: Module, masks: Masks, to: RewindTo, init: Record<string, StateEntry>, fresh: () => Module): void {
  const params = new Map(model.namedParameters());
  const donor = to === 'random-init' ? fresh() : null;
  const donorParams = new Map(donor?.namedParameters() ?? []);
  try {
    noGrad(() =>
      tidy(() => {
        for (const [n, mask] of masks) {
          const p = params.get(n)!;
          const kept = p.mul(mask.neg().add(1));
          if (to === 'zero') p.copy_(kept);
          else {
            const src = to === 'init' ? tensor(init[n].data, init[n].shape, p.dtype) : donorParams.get(n)!;
            p.copy_(kept.add(src.mul(mask)));
          }
        }
      }),
    );
  } finally {
    donor?.dispose();
  }
}
