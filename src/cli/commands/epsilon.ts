// `cwrf epsilon`: DP-SGD privacy accounting (RDP, Opacus' improved conversion).
import { computeRdp, DEFAULT_ORDERS, getPrivacySpent, noiseForEpsilon } from '../../dp/accountant.ts';
import { InputError } from '../../util/errors.ts';
import { COMMON, numberFlag, type Command } from '../command.ts';

export const epsilonCommand: Command = {
  summary: 'privacy accounting: epsilon of DP-SGD (or the noise multiplier for a target epsilon)',
  usage: 'cwrf epsilon --sample-rate q --noise-multiplier s --steps n --delta d   |   --target-epsilon e instead of --noise-multiplier',
  examples: [
    'cwrf epsilon --sample-rate 0.004267 --noise-multiplier 1.1 --steps 14062 --delta 1e-5',
    'cwrf epsilon --sample-rate 0.0256 --target-epsilon 8 --steps 1170 --delta 1e-5 --json',
  ],
  options: {
    ...COMMON,
    'sample-rate': { type: 'string' },
    'noise-multiplier': { type: 'string' },
    'target-epsilon': { type: 'string' },
    steps: { type: 'string' },
    delta: { type: 'string' },
  },
  async run(v, _pos, io) {
    for (const k of ['sample-rate', 'steps', 'delta']) if (v[k] === undefined) throw new InputError(`--${k} is required`);
    const q = numberFlag(v, 'sample-rate', 0, { min: 0, max: 1 });
    const steps = numberFlag(v, 'steps', 0, { int: true, min: 0 });
    const delta = numberFlag(v, 'delta', 0, { min: 0, max: 1 });
    if (v['target-epsilon'] !== undefined) {
      const targetEpsilon = numberFlag(v, 'target-epsilon', 0, { min: 0 });
      const sigma = noiseForEpsilon({ targetEpsilon, delta, sampleRate: q, steps });
      const spent = getPrivacySpent(DEFAULT_ORDERS, computeRdp(q, sigma, steps), delta);
      io.log(`noise multiplier ${sigma.toFixed(4)} gives epsilon ${spent.epsilon.toFixed(4)} (order ${spent.bestOrder}) at delta ${delta}`);
      return { noiseMultiplier: sigma, ...spent, sampleRate: q, steps, delta };
    }
    if (v['noise-multiplier'] === undefined) throw new InputError('--noise-multiplier or --target-epsilon is required');
    const sigma = numberFlag(v, 'noise-multiplier', 0, { min: 0 });
    const spent = getPrivacySpent(DEFAULT_ORDERS, computeRdp(q, sigma, steps), delta);
    io.log(`epsilon ${spent.epsilon.toFixed(4)} (best order ${spent.bestOrder}) at delta ${delta}`);
    return { ...spent, noiseMultiplier: sigma, sampleRate: q, steps, delta };
  },
};
