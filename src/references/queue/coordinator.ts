// The queue executor of an audit: enqueues the references missing from the local cache as BullMQ jobs,
// waits for any worker to finish them and hands their results to the audit (which caches them).
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { versions } from '../../runs/index.ts';
import { type ReferenceExecutor } from '../refs.ts';
import { type ReferenceOutcome, type ReferenceProgress, type ReferenceTask } from '../reference-task.ts';
import { isPortableSpec } from '../../data/index.ts';
import { loadData } from '../../train/index.ts';
import { InputError } from '../../util/errors.ts';
import { connectRedis } from './connect.ts';
import { REDIS_TIMEOUT_S, RedisGoneError, RedisWatch } from './watch.ts';
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
  if (!data.ds.sha256 || !isPortableSpec(recipe.dataset))
    throw new InputError(`--queue needs a named dataset with a checksum (e.g. mnist, location, cifar10, synthetic:...); '${recipe.dataset}' is a local path that workers cannot resolve`);
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

export interface QueueExecutorOptions {
  /** Attempts per job (default ATTEMPTS). */
  attempts?: number;
  /** How long a lost Redis is retried before the audit gives up, in ms (default REDIS_TIMEOUT_S). */
  redisTimeoutMs?: number;
  /** How often the jobs' states are read, in ms (finished jobs are also announced at once by events). */
  pollMs?: number;
  /** One line per connection change (lost, reconnected, jobs queued again). */
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Connects to the queue (one clear error if it cannot) and returns an executor that trains through it. It
 * reads its jobs' states (woken early by the queue's events): a finished job's result goes to the audit (which
 * caches it), a job Redis no longer has (it restarted empty) is queued again; while Redis is lost it waits up
 * to the timeout, then fails with one line, every result received so far already in the local cache.
 */
export async function queueExecutor(url: QueueUrl, o: QueueExecutorOptions = {}): Promise<QueueExecutor> {
  const client: Redis = await connectRedis(url);
  const log = o.log ?? (() => undefined);
  const watch = new RedisWatch(client, { timeoutMs: o.redisTimeoutMs ?? REDIS_TIMEOUT_S * 1000, where: url.display, log });
  const queue = new Queue<QueueJob, ReferenceOutcome>(QUEUE_NAME, { connection: client });
  watch.quiet(queue);
  const eventsClient = client.duplicate();
  watch.quiet(eventsClient);
  const events = new QueueEvents(QUEUE_NAME, { connection: eventsClient });
  watch.quiet(events);
  await events.waitUntilReady();
  const pollMs = o.pollMs ?? 1000;
  const disconnectAll = () => {
    eventsClient.disconnect();
    client.disconnect();
  };
  return {
    async run(tasks, on) {
      const jobs = await Promise.all(tasks.map(queueJob));
      const ids = jobs.map(jobId);
      const index = new Map(ids.map((id, i) => [id, i]));
      let wake = () => {};
      const onProgress = ({ jobId: id, data }: { jobId: string; data: unknown }) => {
        const i = index.get(id);
        if (i !== undefined && data && typeof data === 'object') on.progress(i, data as ReferenceProgress);
      };
      const onFinished = ({ jobId: id }: { jobId: string }) => index.has(id) && wake();
      events.on('progress', onProgress);
      events.on('completed', onFinished);
      events.on('failed', onFinished);
      const enqueue = async (i: number) => {
        const id = ids[i];
        await queue.add('reference', jobs[i], {
          jobId: id,
          attempts: o.attempts ?? ATTEMPTS,
          backoff: { type: 'fixed', delay: 1000 },
          removeOnComplete: { age: 7 * 86400 },
          removeOnFail: { age: 7 * 86400 },
        });
        if ((await queue.getJobState(id)) === 'failed') await (await Job.fromId(queue, id))?.retry('failed'); // an earlier audit's failure: try again
      };
      const pending = new Set(ids.keys());
      let received = 0;
      try {
        await watch.race(Promise.all([...pending].map(enqueue)));
        while (pending.size > 0) {
          await watch.race(new Promise<void>((r) => ((wake = r), void sleep(pollMs).then(r))));
          if (watch.state !== 'up') continue; // commands would only queue up in the client
          const missing: number[] = [];
          for (const i of [...pending]) {
            const state = await watch.race(queue.getJobState(ids[i]));
            if (state === 'unknown') missing.push(i);
            if (state !== 'completed' && state !== 'failed') continue;
            const job = await watch.race(Job.fromId<QueueJob, ReferenceOutcome>(queue, ids[i]));
            if (!job) {
              missing.push(i);
              continue;
            }
            if (state === 'failed') {
              const msg = `reference model ${i} failed on the queue: ${job.failedReason}`;
              throw job.failedReason.startsWith(REFUSED) ? new InputError(msg) : new Error(msg);
            }
            pending.delete(i);
            await on.result(i, job.returnvalue);
            received++;
          }
          if (missing.length > 0) {
            log(`Redis at ${url.display} no longer has ${missing.length} of this audit's ${ids.length} jobs (restarted empty?): queued them again`);
            await watch.race(Promise.all(missing.map(enqueue)));
          }
        }
      } catch (e) {
        if (e instanceof RedisGoneError)
          throw new Error(`${e.message}: the ${received} reference model(s) received are kept in the local cache; rerun the audit (with or without --queue) to continue`);
        throw e;
      } finally {
        events.off('progress', onProgress);
        events.off('completed', onFinished);
        events.off('failed', onFinished);
      }
    },
    async close() {
      watch.close();
      // close() stops BullMQ's own retry loops; with Redis gone its goodbye commands fail as the clients disconnect
      const closing = Promise.allSettled([events.close(), queue.close()]);
      if (watch.state !== 'up') disconnectAll();
      await Promise.race([closing, sleep(2000)]);
      disconnectAll();
    },
  };
}
