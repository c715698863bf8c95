// Training objectives: cross-entropy, label smoothing and RelaxLoss (Chen et al. 2022, shared/SPECS.md).
import { crossEntropy, noGrad, onesLike, type Tensor } from '../engine/index.ts';
import { InputError } from '../util/errors.ts';

export type ObjectiveSpec =
  | { name: 'ce' }
  | { name: 'label-smoothing'; smoothing: number }
  | { name: 'relaxloss'; alpha: number; upper: number; variant?: 'tabular' | 'image' };

/** Turns a batch's logits and int64 labels into the scalar loss to minimise. */
export type Objective = (logits: Tensor, y: Tensor, epoch: number) => Tensor;

/** Soft cross-entropy per example: -sum_j t_j log softmax(z)_j. */
export function softCrossEntropy(logits: Tensor, target: Tensor): Tensor {
  return target.mul(logits.logSoftmax(1)).sum(1).neg();
}

/** RelaxLoss: even epochs |CE - alpha|; odd epochs CE above alpha, else posterior flattening. */
function relaxLoss(alpha: number, upper: number, variant: 'tabular' | 'image'): Objective {
  return (logits, y, epoch) => {
    const ce = crossEntropy(logits, y);
    if (epoch % 2 === 0) return ce.sub(alpha).abs();
    if (ce.item() > alpha) return ce;
    const classes = logits.shape[1];
    const target = noGrad(() => {
      const p = logits.softmax(1);
      const py = p.gather(1, y.unsqueeze(1)).clamp(0, upper);
      const rest = onesLike(p).mul(py.neg().add(1).div(classes - 1));
      return rest.scatter(1, y.unsqueeze(1), py);
    });
    const soft = softCrossEntropy(logits, target);
    if (variant === 'tabular') return soft.mean();
    const correct = noGrad(() => logits.argmax(1).eq(y).float());
    const perCe = crossEntropy(logits, y, { reduction: 'none' });
    return correct.neg().add(1).mul(soft).sub(perCe).mean();
  };
}

/** The objective described by `spec`. */
export function makeObjective(spec: ObjectiveSpec): Objective {
  switch (spec.name) {
    case 'ce':
      return (logits, y) => crossEntropy(logits, y);
    case 'label-smoothing':
      return (logits, y) => crossEntropy(logits, y, { labelSmoothing: spec.smoothing });
    case 'relaxloss':
      return relaxLoss(spec.alpha, spec.upper, spec.variant ?? 'tabular');
    default:
      throw new InputError(`unknown objective '${(spec as { name: string }).name}' (ce, label-smoothing, relaxloss, dpsgd)`);
  }
}
