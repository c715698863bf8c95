// Reference models for an audit: replays of the target's recipe on other member halves, trained in
// parallel worker processes and cached on disk by (recipe, seed, member half).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fork } from 'node:child_process';
import { siblingEntry } from '../util/entry.ts';
import { readSafetensors, writeSafetensors } from '../io/safetensors.ts';
import type { LoadOptions } from '../data/index.ts';
import { canonicalJson, type Recipe } from '../train/index.ts';
import { InputError } from '../util/errors.ts';
import { trainingThreads, workerCount } from '../engine/threads.ts';

/** One model to train: the recipe (with its seeds) and its member half (0/1 over the population). */
export interface RefJob {
  recipe: Recipe;
  members: Uint8Array;
}

/** What an audit keeps of a trained model: its logits on the population and its accuracies. */
export interface RefResult {
  logits: Float32Array;
  classes: number;
  trainAccuracy: number;
  testAccuracy: number;
  seconds: number;
  /** Intra-op threads it trained with. */
  threads: number;
  cached: boolean;
}

/** Default cache root: $CWRF_CACHE_DIR or ~/.cache/cwrf. */
export function cacheDir(): string {
  return process.env.CWRF_CACHE_DIR ?? join(homedir(), '.cache', 'cwrf');
}

/** The cache key of a job: recipe (seeds included) and member half. */
export function jobKey(job: RefJob): string {
  return createHash('sha256').update(canonicalJson(job.recipe)).update(job.members).digest('hex').slice(0, 32);
}

export function jobFile(job: RefJob, root = cacheDir()): string {
  return join(root, 'models', `${jobKey(job)}.safetensors`);
}

/** Reads a cached result, or null when absent or trained with another thread count than `threads`. */
export async function readCached(file: string, threads: number): Promise<RefResult | null> {
  if (!existsSync(file)) return null;
  try {
    const { tensors, metadata } = await readSafetensors(file);
    if (Number(metadata.threads) !== threads) return null;
    const l = tensors.logits;
    return {
      logits: l.data as Float32Array,
      classes: l.shape[1],
      trainAccuracy: Number(metadata.trainAccuracy),
      testAccuracy: Number(metadata.testAccuracy),
      seconds: Number(metadata.seconds),
      threads,
      cached: true,
    };
  } catch {
    return null; // a damaged cache entry is retrained
  }
}

export async function writeCached(file: string, r: Omit<RefResult, 'cached'>): Promise<void> {
  mkdirSync(join(file, '..'), { recursive: true });
  const n = r.logits.length / r.classes;
  await writeSafetensors(
    file,
    { logits: { dtype: 'F32', shape: [n, r.classes], data: r.logits } },
    { trainAccuracy: String(r.trainAccuracy), testAccuracy: String(r.testAccuracy), seconds: String(r.seconds), threads: String(r.threads) },
  );
}

export interface PoolOptions extends LoadOptions {
  workers?: number;
  /** Intra-op threads of every reference model (default: trainingThreads(), whatever `workers` is). */
  threads?: number;
  cacheRoot?: string;
  /** Called as each job finishes (cached or trained). */
  onDone?: (index: number, r: RefResult) => void;
  /** Called with per-epoch progress from the workers. */
  onEpoch?: (index: number, stage: string, epoch: number) => void;
}

const worker = siblingEntry(import.meta.url, 'worker');

/** Trains every job not already cached, `workers` at a time in child processes; returns results in job order. */
export async function trainReferences(jobs: RefJob[], o: PoolOptions = {}): Promise<RefResult[]> {
  const root = o.cacheRoot ?? cacheDir();
  const threads = o.threads ?? trainingThreads();
  const results: (RefResult | null)[] = await Promise.all(jobs.map((j) => readCached(jobFile(j, root), threads)));
  results.forEach((r, i) => r && o.onDone?.(i, r));
  const todo = jobs.map((_, i) => i).filter((i) => !results[i]);
  const workers = Math.max(1, Math.min(o.workers ?? workerCount(), todo.length));
  const loadOpts: LoadOptions = { dataDir: o.dataDir, labelColumn: o.labelColumn, limit: o.limit, cacheDir: o.cacheDir };
  let next = 0;
  async function lane(): Promise<void> {
    while (next < todo.length) {
      const i = todo[next++];
      const file = jobFile(jobs[i], root);
      await runInWorker({ job: jobs[i], file, threads, loadOpts, cacheRoot: root }, (stage, epoch) => o.onEpoch?.(i, stage, epoch));
      const r = await readCached(file, threads);
      if (!r) throw new Error(`reference model ${i} finished but its result ${file} is unreadable`);
      results[i] = { ...r, cached: false };
      o.onDone?.(i, results[i]!);
    }
  }
  await Promise.all(Array.from({ length: workers }, lane));
  return results as RefResult[];
}

interface WorkerTask {
  job: RefJob;
  file: string;
  threads: number;
  loadOpts: LoadOptions;
  cacheRoot: string;
}

function runInWorker(task: WorkerTask, onEpoch: (stage: string, epoch: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(worker.file, [], {
      execArgv: worker.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    let error: string | null = null;
    let inputError = false;
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('message', (m: { type: string; stage?: string; epoch?: number; message?: string; input?: boolean }) => {
      if (m.type === 'epoch') onEpoch(m.stage!, m.epoch!);
      else if (m.type === 'error') {
        error = m.message!;
        inputError = Boolean(m.input);
      }
    });
    child.on('exit', (code) => {
      if (code === 0 && !error) resolve();
      else {
        const msg = error ?? `reference worker exited with code ${code}: ${stderr.trim().split('\n').pop() ?? ''}`;
        reject(inputError ? new InputError(msg) : new Error(msg));
      }
    });
    child.send(task);
  });
}
