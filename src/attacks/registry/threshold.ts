// Threshold attacks: per-class thresholds on a signal, chosen on the references.
import { check } from '../../util/errors.ts';
import type { SignalName } from '../signals.ts';
import { thresholdAttack } from '../threshold.ts';
import type { AttackEntry } from './types.ts';

function threshold(name: string, description: string, signal: SignalName): AttackEntry {
  return {
    name,
    description,
    signal,
    run: ({ sig, data, input, models, n, queries }) => {
      let s = sig;
      if (signal === 'phi' && queries > 1) {
        // phi with several queries per example: their mean.
        check(sig.length === models * n * queries, () => `phi has ${sig.length} values; expected ${models * n * queries}`);
        s = new Float64Array(models * n);
        for (let k = 0; k < models * n; k++) {
          let acc = 0;
          for (let q = 0; q < queries; q++) acc += sig[k * queries + q];
          s[k] = acc / queries;
        }
      }
      const { metrics, ...rest } = thresholdAttack(s, { ...data, labels: input.labels, classes: input.classes });
      return { scores: s.slice(input.target * n, (input.target + 1) * n), metrics, evaluated: n, threshold: rest };
    },
  };
}

export const THRESHOLD_ATTACKS: AttackEntry[] = [
  threshold('loss', 'threshold attack on -loss', 'negLoss'),
  threshold('confidence', 'threshold attack on the true-class confidence', 'confidence'),
  threshold('entropy', 'threshold attack on -entropy', 'negEntropy'),
  threshold('modified-entropy', 'threshold attack on -modified entropy', 'negModEntropy'),
  threshold('phi-threshold', 'threshold attack on the logit-scaled confidence', 'phi'),
];
