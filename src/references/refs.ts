// Reference models for an audit: replays of the target's recipe on other member halves, cached on disk
// by (recipe, seed, member half) and trained by an executor (local process pool or a job queue).
import type { LoadOptions } from '../data/index.ts';
import type { Recipe } from '../train/index.ts';
import { cacheDir, readRefEntry, refFile, writeRefEntry, type RefOutput } from '../runs/cache.ts';
import { localPool } from './pool.ts';
import { trainingThreads } from '../engine/threads.ts';
import { decodeOutcome, packMembers, type ReferenceOutcome, type ReferenceProgress, type ReferenceTask } from './reference-task.ts';

export { cacheDir };

/** One model to train: the recipe (with its seeds) and its member half (0/1 over the population). */
export interface RefJob {
  recipe: Recipe;
  members: Uint8Array;
}

/** A reference's result, and whether it came from the cache. */
export interface RefResult extends RefOutput {
  cached: boolean;
}

/** Trains reference tasks somewhere, reporting each outcome (duplicates allowed) and per-epoch progress. */
export interface ReferenceExecutor {
  run(tasks: ReferenceTask[], on: { result(i: number, o: ReferenceOutcome): Promise<void>; progress(i: number, p: ReferenceProgress): void }): Promise<void>;
}

export interface PoolOptions extends LoadOptions {
  /** Local worker processes (when no executor is given). */
  workers?: number;
  /** Intra-op threads of every reference model (default: trainingThreads(), whatever `workers` is). */
  threads?: number;
  /** LiRA queries per example (default 1). */
  queries?: number;
  /** Where the models are trained (default: the local process pool). */
  executor?: ReferenceExecutor;
  cacheRoot?: string;
  /** Called as each job finishes (cached or trained). */
  onDone?: (index: number, r: RefResult) => void;
  /** Called with per-epoch progress from the workers. */
  onEpoch?: (index: number, stage: string, epoch: number) => void;
}

/** The task of a job, with this machine's data and cache settings (data options travel in the recipe). */
export function referenceTask(job: RefJob, o: Pick<LoadOptions, 'dataDir' | 'cacheDir'> & { cacheRoot: string; threads: number; queries?: number }): ReferenceTask {
  return {
    recipe: job.recipe,
    members: packMembers(job.members),
    population: job.members.length,
    ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
    ...(o.cacheDir !== undefined ? { cacheDir: o.cacheDir } : {}),
    cacheRoot: o.cacheRoot,
    threads: o.threads,
    ...(o.queries !== undefined && o.queries !== 1 ? { queries: o.queries } : {}),
  };
}

/** Trains every job not already cached; returns results in job order (each read back from the cache). */
export async function trainReferences(jobs: RefJob[], o: PoolOptions = {}): Promise<RefResult[]> {
  const root = o.cacheRoot ?? cacheDir();
  const threads = o.threads ?? trainingThreads();
  const queries = o.queries ?? 1;
  const files = jobs.map((j) => refFile(j.recipe, j.members, root, queries));
  const results: (RefResult | null)[] = (await Promise.all(files.map((f) => readRefEntry(f, threads)))).map((r) => r && { ...r, cached: true });
  results.forEach((r, i) => r && o.onDone?.(i, r));
  const todo = jobs.map((_, i) => i).filter((i) => !results[i]);
  if (todo.length === 0) return results as RefResult[];
  const tasks = todo.map((i) => referenceTask(jobs[i], { ...o, cacheRoot: root, threads, queries }));
  await (o.executor ?? localPool(o.workers)).run(tasks, {
    async result(t, outcome) {
      const i = todo[t];
      if (results[i]) return; // a duplicate result
      let r = await readRefEntry(files[i], threads);
      if (!r) {
        await writeRefEntry(files[i], decodeOutcome(outcome, jobs[i].members.length));
        r = await readRefEntry(files[i], threads);
      }
      if (!r) throw new Error(`reference model ${i} finished but its result ${files[i]} is unreadable`);
      results[i] = { ...r, cached: false };
      o.onDone?.(i, results[i]);
    },
    progress: (t, p) => o.onEpoch?.(todo[t], p.stage, p.epoch),
  });
  const missing = results.findIndex((r) => !r);
  if (missing >= 0) throw new Error(`reference model ${missing} was never trained`);
  return results as RefResult[];
}
