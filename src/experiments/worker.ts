// Child process that trains one reference model (replaying a recipe) and writes its population logits.
import { setThreads } from '../engine/index.ts';
import { loadData } from '../train/index.ts';
import { InputError } from '../util/errors.ts';
import { replay } from './replay.ts';
import { evaluate } from './run.ts';
import { writeCached, type RefJob } from './refs.ts';
import type { LoadOptions } from '../data/index.ts';

interface Task {
  job: RefJob;
  file: string;
  threads: number;
  loadOpts: LoadOptions;
  cacheRoot: string;
}

process.once('message', async (task: Task) => {
  try {
    setThreads(task.threads);
    const { job } = task;
    const data = await loadData(job.recipe, task.loadOpts);
    const t0 = performance.now();
    const r = await replay(job.recipe, data, job.members, (stage, s) => process.send!({ type: 'epoch', stage, epoch: s.epoch }), task.cacheRoot);
    const seconds = (performance.now() - t0) / 1000;
    const e = evaluate(r.model, data, job.members, job.recipe);
    r.model.dispose();
    await writeCached(task.file, { ...e, seconds, threads: task.threads });
    process.exitCode = 0;
  } catch (e) {
    process.send!({ type: 'error', message: (e as Error).message, input: e instanceof InputError });
    process.exitCode = 1;
  }
  process.disconnect();
});
