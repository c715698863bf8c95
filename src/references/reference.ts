// The one function that trains a reference model: replay the recipe on its member half, score the
// population, keep the result (and the base weights) in this machine's cache.
import { setThreads } from '../engine/index.ts';
import { loadData } from '../train/index.ts';
import { InputError } from '../util/errors.ts';
import { readRefEntry, refFile, writeRefEntry, type RefOutput } from '../runs/cache.ts';
import { unpackMembers, type ReferenceProgress, type ReferenceTask } from './reference-task.ts';
import { replay } from '../runs/replay.ts';
import { evaluate } from '../runs/run.ts';

/** Trains (or reads from the cache) the reference of `task`; its result is in the cache when this returns. */
export async function processReference(task: ReferenceTask, onProgress?: (p: ReferenceProgress) => void): Promise<RefOutput> {
  const members = unpackMembers(task.members, task.population);
  const queries = task.queries ?? 1;
  const file = refFile(task.recipe, members, task.cacheRoot, queries);
  const load = () => loadData(task.recipe, { dataDir: task.dataDir, cacheDir: task.cacheDir });
  if (task.datasetSha256) {
    const { ds } = await load(); // checked before the cache too: entries here were trained on this machine's data
    if (ds.sha256 !== task.datasetSha256) throw new InputError(`dataset ${task.recipe.dataset} here (${ds.source}) has sha256 ${ds.sha256 ?? 'unknown'}, the job wants ${task.datasetSha256}`);
  }
  const cached = await readRefEntry(file, task.threads);
  if (cached) return cached;
  setThreads(task.threads);
  const data = await load();
  const pop = data.split.population.length;
  if (pop !== task.population) throw new InputError(`the reference's population has ${task.population} examples, but ${task.recipe.dataset} here gives ${pop}`);
  const t0 = performance.now();
  const r = await replay(task.recipe, data, members, onProgress && ((stage, s) => onProgress({ stage, epoch: s.epoch })), task.cacheRoot);
  const seconds = (performance.now() - t0) / 1000;
  const e = evaluate(r.model, data, members, task.recipe, queries);
  r.model.dispose();
  const out: RefOutput = { logits: e.logits, classes: e.classes, queries, trainAccuracy: e.trainAccuracy, testAccuracy: e.testAccuracy, seconds, threads: task.threads };
  await writeRefEntry(file, out);
  return out;
}
