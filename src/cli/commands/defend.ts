// `cwrf defend`: CWRF and the baselines, each written as a new run whose recipe replays the defense.
import { reshapeNote, defend, loadRun, runInputs } from '../../runs/index.ts';
import { METHODS } from '../../defenses/index.ts';
import type { DefenseStage, Recipe } from '../../train/index.ts';
import { InputError } from '../../util/errors.ts';
import { COMMON, DATA, outFlag, THREADS, type Command, type OptionTable } from '../command.ts';
import { threadsFromFlags } from '../thread-flags.ts';
import { runLoadOptions } from '../data-flags.ts';
import { stageFlags, stageFromFlags } from '../defense-flags.ts';
import { Progress } from '../progress.ts';
import { prepareOut } from '../output.ts';
import { dpFromFlags, objectiveFlags, objectiveFromFlags, releaseFromFlags } from '../recipe-flags.ts';

export const defendCommand: Command = {
  summary: 'defend a run: CWRF (rewind critical weights, fine-tune the rest) or a baseline; writes a new run',
  // usage and flags read the method registry when asked: a method registered after this module loads is in both
  get usage(): string {
    return `cwrf defend RUN_DIR --method ${METHODS.names().join('|')} --out DIR [stage flags]`;
  },
  examples: [
    'cwrf defend runs/loc --method cwrf --out runs/loc-cwrf',
    'cwrf defend runs/loc-relax --method cwrf --objective relaxloss --ratio 0.003 --epochs 10 --out runs/loc-relax-cwrf',
    'cwrf defend runs/loc --method cwrf --score tfo --rank per-layer --scope critical --out runs/loc-ablation',
    'cwrf defend runs/loc --method retrain --objective relaxloss --out runs/loc-relax',
    'cwrf defend runs/loc --method retrain --objective ccl --ccl-alpha 0.1 --ccl-beta 0.05 --out runs/loc-ccl',
    'cwrf defend runs/loc-ccl --method cwrf --objective ccl --out runs/loc-ccl-cwrf',
    'cwrf defend runs/loc --method retrain --objective hamp --hamp-gamma 0.5 --hamp-alpha 0.001 --out runs/loc-hamp',
    'cwrf defend runs/loc --method prune --ratio 0.01 --out runs/loc-prune',
    'cwrf defend runs/loc --method rewind --ratio 0.001 --out runs/loc-rewind',
    'cwrf defend runs/loc --method cwrf --objective dpsgd --target-epsilon 8 --out runs/loc-cwrf-dp',
  ],
  get flags(): OptionTable {
    return {
      ...COMMON,
      ...DATA,
      method: { type: 'choice', short: 'm', choices: () => METHODS.names(), default: 'cwrf', description: 'defense method' },
      ...stageFlags(),
      ...objectiveFlags("the run's own"),
      ...outFlag('', 'run directory to write (required)'),
      ...THREADS,
    };
  },
  async run(f, pos, io) {
    const dir = pos[0];
    if (!dir) throw new InputError('give the run to defend: cwrf defend RUN_DIR --method ... --out DIR');
    const out = f.opt<string>('out');
    if (out === undefined) throw new InputError('--out DIR is required');
    const method = METHODS.get(f.get<string>('method'));
    threadsFromFlags(f);
    const run = await loadRun(dir);
    const { objective, dpsgd } = objectiveFromFlags(f, run.recipe.dataset, run.recipe.objective);
    const dp = dpFromFlags(f, dpsgd);
    const progress = new Progress(io, 'epoch', 0);
    const onEpoch = (stage: string, s: { loss: number; accuracy: number; seconds: number; epoch: number }) => {
      progress.resumedAt(s.epoch);
      progress.tick(`${stage} loss ${s.loss.toFixed(4)} acc ${s.accuracy.toFixed(4)} (${s.seconds.toFixed(2)}s)`);
    };
    let action: { retrain: Recipe } | { stage: DefenseStage };
    if (method.retrain) {
      const retrain = { ...method.retrain(run.recipe, objective, dp), release: releaseFromFlags(f, objective) };
      action = { retrain };
      progress.grow(retrain.epochs);
    } else {
      const stage = stageFromFlags(method.name, f, run.recipe, objective, dp);
      action = { stage: { ...stage } };
      progress.grow(typeof stage.epochs === 'number' ? stage.epochs : 0);
    }
    const load = runLoadOptions(f, run);
    prepareOut(f, { path: out, kind: 'dir', inputs: runInputs(dir), notInside: [dir] });
    const done = await defend(run, action, { ...load, out, onEpoch });
    const last = done.metrics.stages.at(-1);
    io.log(
      `${method.name}: train acc ${run.metrics.trainAccuracy.toFixed(4)} -> ${done.metrics.trainAccuracy.toFixed(4)}, ` +
        `test acc ${run.metrics.testAccuracy.toFixed(4)} -> ${done.metrics.testAccuracy.toFixed(4)}` +
        `${last ? ` (${last.seconds.toFixed(1)}s, ${(last.seconds / run.metrics.trainSeconds).toFixed(2)}x the training time)` : ''} -> ${out}`,
    );
    if (done.inputReshape) io.log(reshapeNote(done.inputReshape));
    io.log(`audit it with: cwrf audit ${out} --compare ${dir}/audit`);
    return { out, method: method.name, recipe: done.recipe, metrics: done.metrics };
  },
};
