// CCL, the convex-concave loss (Liu et al. ICML 2024; shared/SPECS.md): cross-entropy plus a concave term in p_y
// that lowers the variance of the training losses, hence the member/non-member gap.
import { crossEntropy, type Tensor } from '../../engine/index.ts';
import { datasetKind } from '../../data/index.ts';
import { InputError } from '../../util/errors.ts';
import type { ObjectiveEntry, ObjectiveSpec } from '../../train/objectives/types.ts';

/** The concave term: exp(p_y) (CCEL, the paper's form) or its Taylor variant p_y + p_y^2 / 2 (CCQL). */
export type CclForm = 'exp' | 'quadratic';
export const CCL_FORMS: readonly CclForm[] = ['exp', 'quadratic'];

export interface CclSpec {
  name: 'ccl';
  alpha: number;
  beta: number;
  form?: CclForm;
}

/** Checks CCL's parameters: alpha in (0, 1] (alpha 0 drops the cross-entropy that drives learning), beta > 0. */
export function validateCcl(s: Omit<CclSpec, 'name'>): void {
  if (!(Number.isFinite(s.alpha) && s.alpha > 0 && s.alpha <= 1)) throw new InputError(`CCL alpha must be in (0, 1], got ${s.alpha}`);
  if (!(Number.isFinite(s.beta) && s.beta > 0)) throw new InputError(`CCL beta must be a positive number, got ${s.beta}`);
  if (s.form !== undefined && !CCL_FORMS.includes(s.form)) throw new InputError(`unknown CCL form '${String(s.form)}' (${CCL_FORMS.join(', ')})`);
}

/** beta * mean_i[alpha * CE_i - (1 - alpha) * g(p_y,i)], g = exp or p + p^2/2; p_y at temperature 1. */
export function cclLoss(logits: Tensor, y: Tensor, s: Omit<CclSpec, 'name'>): Tensor {
  const ce = crossEntropy(logits, y, { reduction: 'none' });
  const py = ce.neg().exp();
  const g = (s.form ?? 'exp') === 'exp' ? py.exp() : py.add(py.square().mul(0.5));
  return ce.mul(s.alpha).sub(g.mul(1 - s.alpha)).mean().mul(s.beta);
}

/**
 * CCL (alpha, beta) per dataset kind (its entry's): CIFAR from the reference README (0.5, 0.05); the tabular sets (Location,
 * Purchase, Texas, MNIST) measured on Location (README, docs/bench-location.md).
 */
export function cclDefaults(dataset: string): { alpha: number; beta: number } {
  return datasetKind(dataset) === 'image' ? { alpha: 0.5, beta: 0.05 } : { alpha: 0.1, beta: 0.05 };
}

export const cclObjective: ObjectiveEntry = {
  name: 'ccl',
  description: 'convex-concave loss: beta * (alpha CE - (1 - alpha) exp(p_y)) (Liu et al. 2024)',
  options: {
    'ccl-alpha': { type: 'number', key: 'alpha', defaultText: 'per dataset (0.1, measured on Location; cifar 0.5)', description: 'CCL weight of cross-entropy, in (0, 1]' },
    'ccl-beta': { type: 'number', key: 'beta', defaultText: 'per dataset (0.05)', description: 'CCL scale of the loss, > 0' },
    'ccl-form': { type: 'choice', key: 'form', choices: CCL_FORMS, default: 'exp', description: 'CCL concave term: exp(p_y) or p_y + p_y^2/2 (quadratic)' },
  },
  tunables: [{ name: 'ccl-alpha', key: 'alpha', kind: 'number', min: 0.001, max: 1, scale: 'log', grid: [0.05, 0.1, 0.5], description: 'CCL weight of cross-entropy' }],
  defaults: cclDefaults,
  validate: (s) => validateCcl(asCcl(s)),
  make: (s) => {
    const c = asCcl(s);
    return (logits, y) => cclLoss(logits, y, c);
  },
};

function asCcl(s: ObjectiveSpec): Omit<CclSpec, 'name'> {
  return { alpha: s.alpha as number, beta: s.beta as number, form: s.form as CclForm | undefined };
}
