// `cwrf defend`: CWRF and the baselines, each written as a new run whose recipe replays the defense.
import { defend, loadRun, retrainRecipe } from '../../experiments/index.ts';
import type { DefenseMethod } from '../../defenses/index.ts';
import type { DefenseStage } from '../../train/index.ts';
import { InputError } from '../../util/errors.ts';
import { COMMON, DATA, stringFlag, type Command } from '../command.ts';
import { threadsFromFlags } from '../thread-flags.ts';
import { runLoadOptions } from '../data-flags.ts';
import { STAGE_FLAGS, stageFromFlags } from '../defense-flags.ts';
import { Progress } from '../progress.ts';
import { dpFromFlags, OBJECTIVE_FLAGS, objectiveFromFlags } from '../recipe-flags.ts';

const METHODS = ['cwrf', 'finetune-all', 'retrain', 'prune', 'rewind'] as const;

export const defendCommand: Command = {
  summary: 'defend a run: CWRF (rewind critical weights, fine-tune the rest) or a baseline; writes a new run',
  usage: 'cwrf defend RUN_DIR --method cwrf|finetune-all|retrain|prune|rewind --out DIR [stage flags]',
  examples: [
    'cwrf defend runs/loc --method cwrf --out runs/loc-cwrf',
    'cwrf defend runs/loc-relax --method cwrf --objective relaxloss --ratio 0.003 --epochs 10 --out runs/loc-relax-cwrf',
    'cwrf defend runs/loc --method cwrf --score tfo --rank per-layer --scope critical --out runs/loc-ablation',
    'cwrf defend runs/loc --method retrain --objective relaxloss --out runs/loc-relax',
    'cwrf defend runs/loc --method prune --ratio 0.01 --out runs/loc-prune',
    'cwrf defend runs/loc --method rewind --ratio 0.001 --out runs/loc-rewind',
    'cwrf defend runs/loc --method cwrf --objective dpsgd --target-epsilon 8 --out runs/loc-cwrf-dp',
  ],
  options: { ...COMMON, ...DATA, ...STAGE_FLAGS, ...OBJECTIVE_FLAGS(), method: { type: 'string', short: 'm' }, out: { type: 'string', short: 'o' }, threads: { type: 'string' } },
  async run(v, pos, io) {
    const dir = pos[0];
    if (!dir) throw new InputError('give the run to defend: cwrf defend RUN_DIR --method ... --out DIR');
    if (typeof v.out !== 'string') throw new InputError('--out DIR is required');
    const method = stringFlag(v, 'method', 'cwrf', METHODS);
    threadsFromFlags(v);
    const run = await loadRun(dir);
    const dp = dpFromFlags(v, v.objective === 'dpsgd');
    const recipe = dp ? { ...run.recipe, dp } : run.recipe;
    const progress = new Progress(io, 'epoch', 0);
    const onEpoch = (stage: string, s: { loss: number; accuracy: number; seconds: number; epoch: number }) => {
      progress.resumedAt(s.epoch);
      progress.tick(`${stage} loss ${s.loss.toFixed(4)} acc ${s.accuracy.toFixed(4)} (${s.seconds.toFixed(2)}s)`);
    };
    let out;
    if (method === 'retrain') {
      const obj = objectiveFromFlags(v, recipe.dataset, recipe.objective);
      const r = retrainRecipe(recipe, obj.name === 'dpsgd' ? { name: 'ce' } : obj, obj.name === 'dpsgd' ? dp : undefined);
      progress.grow(r.epochs);
      out = await defend(run, { retrain: r }, { ...runLoadOptions(v, run), out: v.out, onEpoch });
    } else {
      const stage = stageFromFlags(method as DefenseMethod, v, recipe);
      progress.grow(stage.epochs);
      out = await defend({ ...run, recipe }, { stage: stage as unknown as DefenseStage }, { ...runLoadOptions(v, run), out: v.out, onEpoch });
    }
    const last = out.metrics.stages.at(-1);
    io.log(
      `${method}: train acc ${run.metrics.trainAccuracy.toFixed(4)} -> ${out.metrics.trainAccuracy.toFixed(4)}, ` +
        `test acc ${run.metrics.testAccuracy.toFixed(4)} -> ${out.metrics.testAccuracy.toFixed(4)}` +
        `${last ? ` (${last.seconds.toFixed(1)}s, ${(last.seconds / run.metrics.trainSeconds).toFixed(2)}x the training time)` : ''} -> ${v.out}`,
    );
    io.log(`audit it with: cwrf audit ${v.out} --compare ${dir}/audit`);
    return { out: v.out, method, recipe: out.recipe, metrics: out.metrics };
  },
};
