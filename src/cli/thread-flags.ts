// --threads and --workers: read through the thread policy (src/engine/threads.ts).
import { useTrainingThreads, workerCount } from '../engine/threads.ts';
import type { Flags } from './flags.ts';

/** Sets this process's intra-op threads from --threads ($CWRF_THREADS, else 1) and returns the count. */
export function threadsFromFlags(f: Flags): number {
  return useTrainingThreads(f.opt<number>('threads'));
}

/** Worker processes from --workers ($CWRF_WORKERS, else one per core). */
export function workersFromFlags(f: Flags): number {
  return workerCount(f.opt<number>('workers'));
}
