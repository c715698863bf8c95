// Learning-rate schedules, evaluated per epoch (as torch's StepLR / CosineAnnealingLR stepped each epoch).
import { InputError } from '../util/errors.ts';

export type ScheduleSpec =
  | { name: 'constant' }
  | { name: 'step'; stepSize: number; gamma?: number }
  | { name: 'cosine'; etaMin?: number }
  /** x gamma at each milestone, given as fractions of the run (0.5, 0.8: epochs 50 and 80 of 100), so it scales with --epochs. */
  | { name: 'multistep'; milestones: number[]; gamma?: number };

/** The learning rate for `epoch` (0-based) of `epochs`, starting from `base`. */
export function lrAt(spec: ScheduleSpec, base: number, epoch: number, epochs: number): number {
  switch (spec.name) {
    case 'constant':
      return base;
    case 'step':
      return base * (spec.gamma ?? 0.1) ** Math.floor(epoch / spec.stepSize);
    case 'multistep':
      return base * (spec.gamma ?? 0.1) ** spec.milestones.filter((m) => epoch >= Math.round(m * epochs)).length;
    case 'cosine': {
      const min = spec.etaMin ?? 0;
      return min + ((base - min) * (1 + Math.cos((Math.PI * epoch) / epochs))) / 2;
    }
    default:
      throw new InputError(`unknown schedule '${(spec as { name: string }).name}' (constant, step, cosine, multistep)`);
  }
}
