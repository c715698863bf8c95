// --threads and --workers: read through the thread policy (src/engine/threads.ts).
import { useTrainingThreads, workerCount } from '../engine/threads.ts';
import { numberFlag, type Values } from './command.ts';

const optional = (v: Values, name: string): number | undefined => (v[name] === undefined ? undefined : numberFlag(v, name, 1, { int: true, min: 1 }));

/** Sets this process's intra-op threads from --threads ($CWRF_THREADS, else 1) and returns the count. */
export function threadsFromFlags(v: Values): number {
  return useTrainingThreads(optional(v, 'threads'));
}

/** Worker processes from --workers ($CWRF_WORKERS, else one per core). */
export function workersFromFlags(v: Values): number {
  return workerCount(optional(v, 'workers'));
}
