// Reference models on many machines: a BullMQ queue on Redis, its coordinator and its workers.
export { parseQueueUrl, type QueueUrl } from './url.ts';
export { connectRedis } from './connect.ts';
export { JOB_SCHEMA, QUEUE_NAME, jobId, jobProblem, type QueueJob } from './job.ts';
export { ATTEMPTS, queueExecutor, queueJob, type QueueExecutor } from './coordinator.ts';
export { runWorker, type WorkerOptions } from './worker.ts';
