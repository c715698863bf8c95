// RMIA (Zarifzadeh et al. 2024): online, and offline with a (tuned on a paired model, or given).
import { check } from '../../util/errors.ts';
import { rmiaScores, tuneA } from '../rmia.ts';
import { summarizeDefined, type AttackEntry, type AttackResult } from './types.ts';

function rmia(name: string, description: string, offline: boolean): AttackEntry {
  return {
    name,
    description,
    signal: 'pY',
    run: ({ sig, data, input, member, models }) => {
      const { target, refs } = input;
      const { a: aOpt, pairedTarget, pairedRef, ...rest } = input.rmia ?? {};
      let a = typeof aOpt === 'number' ? aOpt : 0.3;
      let tuneAucs: Float64Array | undefined;
      if (offline && aOpt === 'tune') {
        check(pairedTarget !== undefined, "rmia.a = 'tune' needs rmia.pairedTarget (the model trained on the other half)");
        check(pairedTarget !== target, 'rmia.pairedTarget must differ from the target');
        let pr = pairedRef;
        if (pr === undefined) {
          const pool = refs ?? Array.from({ length: models }, (_, m) => m);
          const first = pool.find((m) => m !== target && m !== pairedTarget);
          check(first !== undefined, 'no reference model left to tune RMIA a with');
          pr = first;
        }
        const prs = typeof pr === 'number' ? [pr] : pr;
        check(!prs.includes(target), 'rmia.pairedRef must not include the target');
        const t = tuneA(sig, data, pairedTarget, pr, rest);
        a = t.a;
        tuneAucs = t.aucs;
      }
      const scores = rmiaScores(sig, data, { ...rest, mode: offline ? 'offline' : 'online', a });
      const res: Omit<AttackResult, 'name'> = { scores, ...summarizeDefined(scores, member) };
      if (offline) res.rmia = { a, tuned: tuneAucs !== undefined, tuneAucs };
      return res;
    },
  };
}

export const RMIA_ATTACKS: AttackEntry[] = [
  rmia('rmia-online', 'RMIA online, Pr(x) = mean over all references', false),
  rmia('rmia-offline', 'RMIA offline, Pr(x) from OUT references and a', true),
];
