// How cwrf uses the cores: every model trains with a fixed intra-op thread count (1 unless overridden), so
// its bytes do not depend on the core count or on --workers, and a busy machine cannot make libtorch's
// threads wait on each other; parallelism comes from processes (reference models, bench rows, seeds).
import { availableParallelism } from 'node:os';
import { InputError } from '../util/errors.ts';
import { getThreads, setThreads } from './ops.ts';

/** Intra-op threads a model trains with when neither --threads nor $CWRF_THREADS says otherwise. */
export const DEFAULT_THREADS = 1;

function positiveInt(raw: string, what: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < 1) throw new InputError(`${what}: '${raw}' is not an integer >= 1`);
  return n;
}

/** The intra-op thread count to train with: `flag`, else $CWRF_THREADS, else DEFAULT_THREADS. */
export function trainingThreads(flag?: number): number {
  if (flag !== undefined) return positiveInt(String(flag), '--threads');
  const env = process.env.CWRF_THREADS;
  return env === undefined ? DEFAULT_THREADS : positiveInt(env, 'CWRF_THREADS');
}

/** Parallel worker processes: `flag`, else $CWRF_WORKERS, else one per core. */
export function workerCount(flag?: number): number {
  if (flag !== undefined) return positiveInt(String(flag), '--workers');
  const env = process.env.CWRF_WORKERS;
  return env === undefined ? availableParallelism() : positiveInt(env, 'CWRF_WORKERS');
}

/** Sets this process's intra-op threads to trainingThreads(flag) and returns the count (for the record). */
export function useTrainingThreads(flag?: number): number {
  const n = trainingThreads(flag);
  if (getThreads() !== n) setThreads(n);
  return n;
}
