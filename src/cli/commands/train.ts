// `cwrf train`: data in, reproducible trained model out.
import { reshapeNote, train } from '../../runs/index.ts';
import { InputError } from '../../util/errors.ts';
import { localDatasetPaths } from '../../data/index.ts';
import { prepareOut } from '../output.ts';
import { COMMON, DATA, outFlag, THREADS, type Command } from '../command.ts';
import { threadsFromFlags } from '../thread-flags.ts';
import { loadOptionsFromFlags } from '../data-flags.ts';
import { Progress } from '../progress.ts';
import { RECIPE_FLAGS, recipeFromFlags } from '../recipe-flags.ts';

export const trainCommand: Command = {
  summary: 'train a target model and record its recipe, members and weights',
  usage: 'cwrf train --dataset NAME --out DIR [recipe flags]',
  examples: [
    'cwrf train --dataset location --model mlp --epochs 30 --optimizer adam --lr 1e-3 --batch-size 128 --seed 0 --out runs/loc',
    'cwrf train --dataset mnist --population 4000 --out runs/mnist',
    'cwrf train --dataset location --objective relaxloss --alpha 1 --upper 0.3 --out runs/loc-relax',
    'cwrf train --dataset location --objective ccl --ccl-alpha 0.5 --ccl-beta 0.05 --ccl-form exp --out runs/loc-ccl',
    'cwrf train --dataset location --objective hamp --hamp-gamma 0.5 --hamp-alpha 0.001 --out runs/loc-hamp   # releases through HAMP output modification',
    'cwrf train --dataset location --objective dpsgd --target-epsilon 8 --delta 1e-5 --out runs/loc-dp',
  ],
  flags: { ...COMMON, ...DATA, ...RECIPE_FLAGS, ...outFlag('', 'run directory to write (required)'), ...THREADS },
  async run(f, _pos, io) {
    const out = f.opt<string>('out');
    if (out === undefined) throw new InputError('--out DIR is required');
    threadsFromFlags(f);
    const recipe = recipeFromFlags(f);
    const load = loadOptionsFromFlags(f);
    prepareOut(f, { path: out, kind: 'dir', inputs: [...localDatasetPaths(recipe.dataset), ...(load.dataDir !== undefined ? [load.dataDir] : [])] });
    const progress = new Progress(io, 'epoch', recipe.epochs);
    const run = await train(recipe, {
      ...load,
      out,
      onEpoch: (stage, s) => {
        if (stage === 'train') progress.resumedAt(s.epoch);
        progress.tick(`${stage} loss ${s.loss.toFixed(4)} acc ${s.accuracy.toFixed(4)} (${s.seconds.toFixed(2)}s)`);
      },
    });
    io.log(
      `trained ${recipe.model.arch} on ${run.metrics.members} members of ${recipe.dataset}: ` +
        `train acc ${run.metrics.trainAccuracy.toFixed(4)}, test acc ${run.metrics.testAccuracy.toFixed(4)} -> ${out}`,
    );
    if (run.inputReshape) io.log(reshapeNote(run.inputReshape));
    return { out, recipe, metrics: run.metrics };
  },
};
