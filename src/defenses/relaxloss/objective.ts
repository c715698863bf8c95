// RelaxLoss (Chen et al. 2022, shared/SPECS.md): even epochs |CE - alpha|; odd epochs CE above alpha,
// else posterior flattening.
import { crossEntropy, noGrad, onesLike, type Tensor } from '../../engine/index.ts';
import { datasetName } from '../../data/index.ts';
import { checkNumber } from '../../util/check.ts';
import type { Objective, ObjectiveEntry } from '../../train/objectives/types.ts';

/** Soft cross-entropy per example: -sum_j t_j log softmax(z)_j. */
export function softCrossEntropy(logits: Tensor, target: Tensor): Tensor {
  return target.mul(logits.logSoftmax(1)).sum(1).neg();
}

function relaxLoss(alpha: number, upper: number, variant: 'tabular' | 'image'): Objective {
  return (logits, y, epoch) => {
    const ce = crossEntropy(logits, y);
    if (epoch % 2 === 0) return ce.sub(alpha).abs();
    if (ce.item() > alpha) return ce;
    const classes = logits.shape[1];
    const target = noGrad(() => {
      const p = logits.softmax(1);
      const py = p.gather(1, y.unsqueeze(1)).clamp(0, upper);
      const rest = onesLike(p).mul(
        py
          .neg()
          .add(1)
          .div(classes - 1),
      );
      return rest.scatter(1, y.unsqueeze(1), py);
    });
    const soft = softCrossEntropy(logits, target);
    if (variant === 'tabular') return soft.mean();
    const correct = noGrad(() => logits.argmax(1).eq(y).float());
    const perCe = crossEntropy(logits, y, { reduction: 'none' });
    return correct.neg().add(1).mul(soft).sub(perCe).mean();
  };
}

/** RelaxLoss (alpha, upper) per dataset (shared/SPECS.md); every other dataset (Location, MNIST, ...) the tabular setting. */
const RELAXLOSS_DEFAULTS = new Map<string, { alpha: number; upper: number }>([
  ['purchase100', { alpha: 0.8, upper: 0.3 }],
  ['texas100', { alpha: 2.5, upper: 0.1 }],
  ['cifar10', { alpha: 1, upper: 1 }],
  ['cifar10-jpeg', { alpha: 1, upper: 1 }],
  ['cifar100', { alpha: 3, upper: 1 }],
]);

/** RelaxLoss (alpha, upper) defaults of `dataset`. */
export function relaxLossDefaults(dataset: string): { alpha: number; upper: number } {
  return { ...(RELAXLOSS_DEFAULTS.get(datasetName(dataset)) ?? { alpha: 1, upper: 0.3 }) };
}

export const relaxLossObjective: ObjectiveEntry = {
  name: 'relaxloss',
  description: 'RelaxLoss: keep the loss near alpha, flatten confident posteriors (Chen et al. 2022)',
  options: {
    alpha: {
      type: 'number',
      min: 0,
      defaultText: 'per dataset (1; purchase100 0.8, texas100 2.5, cifar100 3)',
      description: 'RelaxLoss target loss',
    },
    upper: {
      type: 'number',
      min: 0,
      max: 1,
      defaultText: 'per dataset (0.3; texas100 0.1, cifar 1)',
      description: 'RelaxLoss cap on the true-class probability',
    },
  },
  tunables: [{ name: 'alpha', key: 'alpha', kind: 'number', min: 0, scale: 'log', grid: [0.5, 1, 2], description: 'RelaxLoss target loss' }],
  defaults: relaxLossDefaults,
  validate(s) {
    checkNumber(s.alpha, 'relaxloss alpha', { min: 0 });
    checkNumber(s.upper, 'relaxloss upper', { min: 0, max: 1 });
  },
  make: (s) => relaxLoss(s.alpha as number, s.upper as number, (s.variant as 'tabular' | 'image' | undefined) ?? 'tabular'),
};
