// TFO (Molchanov et al. 2019): |w * dL/dw| of the training loss (learnability).
import { epochBatches, memberGradients, zeroScores, type ScoreEntry, type ScoreInput, type Scores } from './common.ts';

/** TFO (Molchanov et al. 2019): |w * dL/dw| of the training loss, accumulated over `iters` member batches (default one epoch). */
export function tfoScores(s: ScoreInput, iters?: number): Scores {
  const scores = zeroScores(s.model);
  memberGradients(s, iters ?? epochBatches(s), (name, p, g) => scores.get(name)!.add_(g.mul(p).abs()));
  return scores;
}

export const tfoScore: ScoreEntry = {
  name: 'tfo',
  description: '|g * w| of the training loss over one epoch of members (learnability)',
  compute: (s) => tfoScores(s),
};
