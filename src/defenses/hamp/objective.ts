// HAMP's training objective (Chen & Pattabiraman NDSS 2024; shared/SPECS.md): high-entropy soft labels and an
// entropy regulariser. Its test-time output modification is src/defenses/hamp/release.ts.
import { klDiv, noGrad, onesLike, type Tensor } from '../../engine/index.ts';
import { datasetName } from '../../data/index.ts';
import { InputError } from '../../util/errors.ts';
import type { ObjectiveEntry, ObjectiveSpec } from '../../train/objectives/types.ts';

export interface HampSpec {
  name: 'hamp';
  /** Target entropy of the soft labels, as a fraction of ln K. */
  gamma: number;
  /** Weight of the entropy regulariser. */
  alpha: number;
}

/** Checks HAMP's parameters: gamma in (0, 1), alpha >= 0. */
export function validateHamp(s: Omit<HampSpec, 'name'>): void {
  if (!(Number.isFinite(s.gamma) && s.gamma > 0 && s.gamma < 1)) throw new InputError(`HAMP gamma must be in (0, 1), got ${s.gamma}`);
  if (!(Number.isFinite(s.alpha) && s.alpha >= 0)) throw new InputError(`HAMP alpha must be a number >= 0, got ${s.alpha}`);
}

/** Throws unless the logits are [batch, K] class scores with K >= 2. */
export function checkClassOutputs(shape: readonly number[], what: string): number {
  if (shape.length !== 2 || shape[1] < 2) throw new InputError(`${what} needs a model with class outputs ([batch, classes >= 2]), got output shape [${shape.join(', ')}]`);
  return shape[1];
}

function entropy(p: Float64Array): number {
  let h = 0;
  for (const v of p) if (v > 0) h -= v * Math.log(v);
  return h;
}

/**
 * The soft label of K classes at target entropy gamma * ln K, as the reference builds it: from one-hot, move 0.01
 * from the top class to the others (equally) until the entropy reaches the target. Returns the true class's
 * value and every other class's value.
 */
export function hampSoftLabel(classes: number, gamma: number): { top: number; rest: number } {
  if (!Number.isInteger(classes) || classes < 2) throw new InputError(`HAMP needs at least 2 classes, got ${classes}`);
  validateHamp({ gamma, alpha: 0 });
  const target = gamma * Math.log(classes);
  const p = new Float64Array(classes);
  p[0] = 1;
  for (;;) {
    p[0] -= 0.01;
    for (let j = 1; j < classes; j++) p[j] += 0.01 / (classes - 1);
    if (entropy(p) >= target || p[0] <= 1 / classes) break;
  }
  return { top: p[0], rest: p[1] };
}

/** KL(soft label || softmax z) averaged over batch and classes (the reference's kl_div 'mean') - alpha * mean_i H(softmax z_i). */
export function hampLoss(logits: Tensor, y: Tensor, s: Omit<HampSpec, 'name'>): Tensor {
  const classes = checkClassOutputs(logits.shape, 'HAMP');
  const { top, rest } = hampSoftLabel(classes, s.gamma);
  const target = noGrad(() => onesLike(logits).mul(rest).scatter(1, y.unsqueeze(1), top));
  const logp = logits.logSoftmax(1);
  const kl = klDiv(logp, target, { reduction: 'mean' });
  if (s.alpha === 0) return kl;
  const h = logp.exp().mul(logp).sum(1).neg().mean();
  return kl.sub(h.mul(s.alpha));
}

/** HAMP (gamma, alpha) per dataset (shared/SPECS.md); other datasets take Location's. */
const HAMP_DEFAULTS = new Map<string, { gamma: number; alpha: number }>([
  ['purchase100', { gamma: 0.8, alpha: 0.01 }],
  ['texas100', { gamma: 0.6, alpha: 0.01 }],
  ['cifar10', { gamma: 0.95, alpha: 0.001 }],
  ['cifar10-jpeg', { gamma: 0.95, alpha: 0.001 }],
  ['cifar100', { gamma: 0.5, alpha: 0.005 }],
]);

/** HAMP (gamma, alpha) defaults of `dataset`. */
export function hampDefaults(dataset: string): { gamma: number; alpha: number } {
  return { ...(HAMP_DEFAULTS.get(datasetName(dataset)) ?? { gamma: 0.5, alpha: 0.001 }) };
}

export const hampObjective: ObjectiveEntry = {
  name: 'hamp',
  description: "HAMP: high-entropy soft labels and an entropy regulariser; releases through HAMP's output modification (Chen & Pattabiraman 2024)",
  options: {
    'hamp-gamma': { type: 'number', key: 'gamma', defaultText: 'per dataset (location 0.5, purchase100 0.8, texas100 0.6, cifar10 0.95, cifar100 0.5)', description: 'HAMP soft-label entropy, as a fraction of ln K, in (0, 1)' },
    'hamp-alpha': { type: 'number', key: 'alpha', defaultText: 'per dataset (location 0.001, purchase100/texas100 0.01, cifar10 0.001, cifar100 0.005)', description: 'HAMP weight of the entropy regulariser, >= 0' },
  },
  tunables: [{ name: 'hamp-gamma', key: 'gamma', kind: 'number', min: 0.01, max: 0.99, scale: 'lin', grid: [0.5, 0.7, 0.9], description: 'HAMP soft-label entropy, as a fraction of ln K' }],
  defaults: hampDefaults,
  validate: (s) => validateHamp(asHamp(s)),
  make: (s) => {
    const h = asHamp(s);
    return (logits, y) => hampLoss(logits, y, h);
  },
};

function asHamp(s: ObjectiveSpec): Omit<HampSpec, 'name'> {
  return { gamma: s.gamma as number, alpha: s.alpha as number };
}
