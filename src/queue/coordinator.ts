// The queue executor of an audit: enqueues the references missing from the local cache as BullMQ jobs,
// waits for any worker to finish them and hands their results to the audit (which caches them).
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { versions, type ReferenceExecutor, type ReferenceOutcome, type ReferenceProgress, type ReferenceTask } from '../experiments/index.ts';
import { loadData } from '../train/index.ts';
import { InputError } from '../util/errors.ts';
import { connectRedis } from './connect.ts';
import { jobId, jobProblem, QUEUE_NAME, type QueueJob } from './job.ts';
import type { QueueUrl } from './url.ts';

/** Attempts per job before the audit fails with the worker's error. */
export const ATTEMPTS = 3;
/** A worker's refusal (checksum, version, schema): retrying elsewhere would not help. */
export const REFUSED = 'refused by worker';

export interface QueueExecutor extends ReferenceExecutor {
  close(): Promise<void>;
}

/** The job of a task: its machine-independent part, the dataset identity and this cwrf's version. */
export async function queueJob(task: ReferenceTask): Promise<QueueJob> {
  const { recipe } = task;
  const data = await loadData(recipe, { dataDir: task.dataDir, cacheDir: task.cacheDir });
  if (!data.ds.sha256 || recipe.dataset.includes(':'))
    throw new InputError(`--queue needs a named dataset with a checksum (e.g. location, cifar10); '${recipe.dataset}' is a local path that workers cannot resolve`);
  const spec = {
    recipe,
    members: task.members,
    population: task.population,
    threads: task.threads,
    ...(task.queries !== undefined && task.queries !== 1 ? { queries: task.queries } : {}),
  };
  const job: QueueJob = { format: 'cwrf-reference-job/1', cwrf: versions().cwrf, dataset: { name: recipe.dataset, sha256: data.ds.sha256 }, spec };
  const problem = jobProblem(job);
  if (problem) throw new InputError(`cannot send this recipe to the queue: ${problem}`);
  return job;
}

/** Connects to the queue (one clear error if it cannot) and returns an executor that trains through it. */
export async function queueExecutor(url: QueueUrl, o: { attempts?: number } = {}): Promise<QueueExecutor> {
  const client: Redis = await connectRedis(url);
  const queue = new Queue<QueueJob, ReferenceOutcome>(QUEUE_NAME, { connection: client });
  const eventsClient = client.duplicate();
  const events = new QueueEvents(QUEUE_NAME, { connection: eventsClient });
  await events.waitUntilReady();
  return {
    async run(tasks, on) {
      const jobs = await Promise.all(tasks.map(queueJob));
      const ids = jobs.map(jobId);
      const index = new Map(ids.map((id, i) => [id, i]));
      const onProgress = ({ jobId: id, data }: { jobId: string; data: unknown }) => {
        const i = index.get(id);
        if (i !== undefined && data && typeof data === 'object') on.progress(i, data as ReferenceProgress);
      };
      events.on('progress', onProgress);
      try {
        await Promise.all(
          jobs.map(async (data, i) => {
            const id = ids[i];
            const job = await queue.add('reference', data, {
              jobId: id,
              attempts: o.attempts ?? ATTEMPTS,
              backoff: { type: 'fixed', delay: 1000 },
              removeOnComplete: { age: 7 * 86400 },
              removeOnFail: { age: 7 * 86400 },
            });
            if ((await queue.getJobState(id)) === 'failed') await (await Job.fromId(queue, id))?.retry('failed'); // an earlier audit's failure: try again
            let outcome: ReferenceOutcome;
            try {
              outcome = (await job.waitUntilFinished(events)) as ReferenceOutcome;
            } catch (e) {
              const msg = `reference model ${i} failed on the queue: ${(e as Error).message}`;
              throw (e as Error).message.startsWith(REFUSED) ? new InputError(msg) : new Error(msg);
            }
            await on.result(i, outcome);
          }),
        );
      } finally {
        events.off('progress', onProgress);
      }
    },
    async close() {
      await events.close();
      await queue.close();
      eventsClient.disconnect();
      client.disconnect();
    },
  };
}
