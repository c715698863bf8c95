// LiRA (Carlini et al. 2022): online / offline, per-example or global (fixed) variance.
import { liraScores } from '../lira.ts';
import { summarizeDefined, type AttackEntry } from './types.ts';

function lira(name: string, description: string, mode: 'online' | 'offline', variance: 'fixed' | 'per-example'): AttackEntry {
  return {
    name,
    description,
    signal: 'phi',
    run: ({ sig, data, input, member }) => {
      const scores = liraScores(sig, data, { ...input.lira, mode, variance });
      return { scores, ...summarizeDefined(scores, member) };
    },
  };
}

export const LIRA_ATTACKS: AttackEntry[] = [
  lira('lira-online', 'LiRA online, per-example IN/OUT Gaussians on phi', 'online', 'per-example'),
  lira('lira-online-fixed', 'LiRA online, global (fixed) variance', 'online', 'fixed'),
  lira('lira-offline', 'LiRA offline, per-example OUT Gaussian', 'offline', 'per-example'),
  lira('lira-offline-fixed', 'LiRA offline, global (fixed) variance', 'offline', 'fixed'),
];
