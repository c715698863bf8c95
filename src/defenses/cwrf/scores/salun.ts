// SalUn saliency (Fan et al. 2024).
import { noGrad, tidy } from '../../../engine/index.ts';
import { epochBatches, memberGradients, zeroScores, type ScoreEntry, type ScoreInput, type Scores } from './common.ts';

/** SalUn saliency (Fan et al. 2024): |sum over member batches of dCE/dw|, one epoch. */
export function salunScores(s: ScoreInput): Scores {
  const sums = zeroScores(s.model);
  memberGradients(s, epochBatches(s), (name, _p, g) => sums.get(name)!.add_(g));
  noGrad(() => tidy(() => sums.forEach((t) => t.copy_(t.abs()))));
  return sums;
}

export const salunScore: ScoreEntry = {
  name: 'salun',
  description: 'SalUn saliency: |sum of member gradients| over one epoch',
  compute: (s) => salunScores(s),
};
