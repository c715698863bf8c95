// Reference models: one reference task, its trainer, the local process pool (the Redis queue is ./queue/).
export * from './refs.ts';
export * from './reference-task.ts';
export { processReference } from './reference.ts';
export { localPool, runInChild } from './pool.ts';
