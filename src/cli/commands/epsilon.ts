// `cwrf epsilon`: DP-SGD privacy accounting (RDP, Opacus' improved conversion).
import { computeRdp, DEFAULT_ORDERS, getPrivacySpent, noiseForEpsilon } from '../../defenses/dpsgd/accountant.ts';
import { InputError } from '../../util/errors.ts';
import { COMMON, type Command } from '../command.ts';

export const epsilonCommand: Command = {
  summary: 'privacy accounting: epsilon of DP-SGD (or the noise multiplier for a target epsilon)',
  usage: 'cwrf epsilon --sample-rate q --noise-multiplier s --steps n --delta d   |   --target-epsilon e instead of --noise-multiplier',
  examples: [
    'cwrf epsilon --sample-rate 0.004267 --noise-multiplier 1.1 --steps 14062 --delta 1e-5',
    'cwrf epsilon --sample-rate 0.0256 --target-epsilon 8 --steps 1170 --delta 1e-5 --json',
  ],
  flags: {
    ...COMMON,
    'sample-rate': { type: 'number', min: 0, max: 1, defaultText: 'required', description: 'Poisson sampling rate q (expected batch size / members)' },
    'noise-multiplier': { type: 'number', min: 0, defaultText: 'required unless --target-epsilon', description: 'noise std over the clipping bound' },
    'target-epsilon': { type: 'number', min: 0, defaultText: 'none', description: 'find the noise multiplier reaching this epsilon instead' },
    steps: { type: 'int', min: 0, defaultText: 'required', description: 'noisy gradient steps' },
    delta: { type: 'number', min: 0, max: 1, defaultText: 'required', description: 'delta of (epsilon, delta)-DP' },
  },
  async run(f, _pos, io) {
    for (const k of ['sample-rate', 'steps', 'delta']) if (!f.has(k)) throw new InputError(`--${k} is required`);
    const q = f.get<number>('sample-rate');
    const steps = f.get<number>('steps');
    const delta = f.get<number>('delta');
    if (f.has('target-epsilon')) {
      const targetEpsilon = f.get<number>('target-epsilon');
      const sigma = noiseForEpsilon({ targetEpsilon, delta, sampleRate: q, steps });
      const spent = getPrivacySpent(DEFAULT_ORDERS, computeRdp(q, sigma, steps), delta);
      io.log(`noise multiplier ${sigma.toFixed(4)} gives epsilon ${spent.epsilon.toFixed(4)} (order ${spent.bestOrder}) at delta ${delta}`);
      return { noiseMultiplier: sigma, ...spent, sampleRate: q, steps, delta };
    }
    if (!f.has('noise-multiplier')) throw new InputError('--noise-multiplier or --target-epsilon is required');
    const sigma = f.get<number>('noise-multiplier');
    const spent = getPrivacySpent(DEFAULT_ORDERS, computeRdp(q, sigma, steps), delta);
    io.log(`epsilon ${spent.epsilon.toFixed(4)} (best order ${spent.bestOrder}) at delta ${delta}`);
    return { ...spent, noiseMultiplier: sigma, sampleRate: q, steps, delta };
  },
};
