// `cwrf score`: per-weight scores of a run's model, saved as safetensors (one tensor per parameter).
import { join } from 'node:path';
import { disposeScores, pveFor, scoreModel } from '../../defenses/index.ts';
import { loadRun, loadRunModel, runInputs } from '../../runs/index.ts';
import { loadState } from '../../nn/index.ts';
import { writeSafetensors } from '../../io/safetensors.ts';
import { loadData } from '../../train/index.ts';
import { InputError } from '../../util/errors.ts';
import { COMMON, DATA, outFlag, THREADS, type Command } from '../command.ts';
import { threadsFromFlags } from '../thread-flags.ts';
import { runLoadOptions } from '../data-flags.ts';
import { SCORE_FLAGS, scoreFromFlags } from '../defense-flags.ts';
import { SCORES } from '../../defenses/index.ts';
import { prepareOut } from '../output.ts';

export const scoreCommand: Command = {
  summary: 'score every weight of a run (PVE, TFO, SalUn, magnitude, random) and save the scores',
  usage: `cwrf score RUN_DIR --score ${SCORES.names().join('|')} [--out FILE]`,
  examples: [
    'cwrf score runs/loc --score pve --lambda 0.5 --iters 20 --out runs/loc/pve.safetensors',
    'cwrf score runs/loc --score tfo --out runs/loc/tfo.safetensors',
  ],
  flags: { ...COMMON, ...DATA, ...SCORE_FLAGS, ...outFlag('RUN_DIR/SCORE.safetensors', 'safetensors file to write', 'FILE'), ...THREADS },
  async run(f, pos, io) {
    const dir = pos[0];
    if (!dir) throw new InputError('give a run directory: cwrf score RUN_DIR --score pve');
    threadsFromFlags(f);
    const flags = scoreFromFlags(f);
    const out = f.opt<string>('out') ?? join(dir, `${flags.score}.safetensors`);
    const run = await loadRun(dir);
    prepareOut(f, { path: out, kind: 'file', inputs: runInputs(dir) });
    const s = { ...flags, pve: pveFor(run.recipe, flags.pve) };
    const data = await loadData(run.recipe, runLoadOptions(f, run));
    const model = await loadRunModel(run, data);
    const init = await loadState(join(dir, 'init.safetensors'));
    const scores = scoreModel(s, { recipe: run.recipe, data, members: run.members, trained: { model, init, history: [] } });
    const tensors = Object.fromEntries([...scores].map(([n, t]) => [n, { dtype: 'F32' as const, shape: t.shape, data: t.toFloat32() }]));
    await writeSafetensors(out, tensors, { score: s.score, pve: JSON.stringify(s.pve), run: dir });
    disposeScores(scores);
    model.dispose();
    const total = Object.values(tensors).reduce((a, t) => a + t.data.length, 0);
    io.log(`${s.score} scores of ${total} weights in ${Object.keys(tensors).length} tensors -> ${out}`);
    return { out, score: s.score, pve: s.pve, weights: total };
  },
};
