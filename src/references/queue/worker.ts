// `cwrf worker`: takes reference jobs from the queue and trains each in a child process (processReference),
// keeping weights and results in this machine's cache and returning the result rows to the coordinator.
import { hostname } from 'node:os';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { cacheDir, versions } from '../../runs/index.ts';
import { runInChild } from '../pool.ts';
import { type ReferenceOutcome } from '../reference-task.ts';
import { validateRecipe } from '../../train/index.ts';
import { InputError } from '../../util/errors.ts';
import { connectRedis } from './connect.ts';
import { REFUSED } from './coordinator.ts';
import { jobProblem, QUEUE_NAME, type QueueJob } from './job.ts';
import type { QueueUrl } from './url.ts';
import { REDIS_TIMEOUT_S, RedisWatch } from './watch.ts';

export interface WorkerOptions {
  concurrency: number;
  dataDir?: string;
  cacheRoot?: string;
  /** How long a lost Redis is retried before the worker gives up, in ms (default REDIS_TIMEOUT_S). */
  redisTimeoutMs?: number;
  log: (line: string) => void;
}

/** Errors of a dropped connection: the watch reports the loss once; these repeat on every retry. */
const CONNECTION_ERROR = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|Connection is closed|Stream isn't writeable|connect ETIMEDOUT/i;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Lock duration in ms ($CWRF_QUEUE_LOCK_MS, default BullMQ's 30000): a killed worker's job is retried after about this long. */
function lockMs(): number {
  const raw = process.env.CWRF_QUEUE_LOCK_MS;
  const v = Number(raw ?? 30000);
  if (raw === '' || !Number.isInteger(v) || v < 500) throw new InputError(`CWRF_QUEUE_LOCK_MS must be an integer >= 500, got '${raw}'`);
  return v;
}

/**
 * Runs a worker until SIGTERM/SIGINT: the first finishes the jobs in hand, a second hands them back to the queue at
 * once. A lost Redis is retried for up to `redisTimeoutMs` (one line when lost, one when back); after that the
 * jobs in hand are stopped (their checkpoints stay in this machine's cache) and it throws, one line.
 */
export async function runWorker(url: QueueUrl, o: WorkerOptions): Promise<{ completed: number; failed: number }> {
  const lock = lockMs();
  const client = await connectRedis(url);
  const watch = new RedisWatch(client, { timeoutMs: o.redisTimeoutMs ?? REDIS_TIMEOUT_S * 1000, where: url.display, log: o.log });
  const me = `${hostname()}:${process.pid}`;
  const version = versions().cwrf;
  const abort = new AbortController();
  const stats = { completed: 0, failed: 0 };

  const processor = async (job: Job<QueueJob, ReferenceOutcome>, token?: string): Promise<ReferenceOutcome> => {
    const problem = jobProblem(job.data);
    if (problem) throw new UnrecoverableError(`${REFUSED} ${me}: invalid job: ${problem}`);
    const { data } = job;
    try {
      validateRecipe(data.spec.recipe);
    } catch (e) {
      throw new UnrecoverableError(`${REFUSED} ${me}: invalid recipe: ${(e as Error).message}`);
    }
    if (data.cwrf !== version) throw new UnrecoverableError(`${REFUSED} ${me}: the job is for cwrf ${data.cwrf}, this worker runs cwrf ${version}`);
    const task = { ...data.spec, dataDir: o.dataDir, cacheRoot: o.cacheRoot ?? cacheDir(), datasetSha256: data.dataset.sha256 };
    try {
      return await runInChild(task, (p) => void job.updateProgress({ ...p }).catch(() => {}), abort.signal);
    } catch (e) {
      if (abort.signal.aborted && token) {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (e instanceof InputError) throw new UnrecoverableError(`${REFUSED} ${me}: ${e.message}`);
      throw e;
    }
  };

  const worker = new Worker<QueueJob, ReferenceOutcome>(QUEUE_NAME, processor, {
    connection: client,
    concurrency: o.concurrency,
    lockDuration: lock,
    stalledInterval: lock,
    maxStalledCount: 1,
  });
  worker.on('active', (j) => o.log(`${me}: job ${j.id} started (${j.data.dataset.name}, seed ${j.data.spec.recipe.seed}, attempt ${j.attemptsMade + 1})`));
  worker.on('completed', (j) => {
    stats.completed++;
    o.log(`${me}: job ${j.id} done`);
  });
  worker.on('failed', (j, e) => {
    if (e instanceof WaitingError) return;
    stats.failed++;
    o.log(`${me}: job ${j?.id ?? '?'} failed: ${e.message.split('\n')[0]}`);
  });
  const vanished = new Set<string>();
  worker.on('error', (e) => {
    if (watch.state !== 'up' || CONNECTION_ERROR.test(e.message)) return;
    const missing = /Missing key for job (\S+)\./.exec(e.message);
    if (!missing) return o.log(`${me}: ${e.message.split('\n')[0]}`);
    if (vanished.has(missing[1])) return;
    vanished.add(missing[1]);
    o.log(`${me}: job ${missing[1]} is gone from Redis (restarted empty?): its result stays in this machine's cache for when the job is queued again`);
  });
  await watch.race(worker.waitUntilReady());
  o.log(`${me}: cwrf ${version} worker on ${url.display}, queue '${QUEUE_NAME}', concurrency ${o.concurrency} (each job trains with the audit's thread count)`);

  const stopped = new Promise<void>((resolve) => {
    let stops = 0;
    const stop = (sig: string) => {
      if (++stops === 1) {
        o.log(`${me}: ${sig}: finishing the job(s) in hand, taking no more (${sig} again hands them back to the queue)`);
        worker.close().then(resolve, resolve);
      } else {
        o.log(`${me}: ${sig}: handing the job(s) in hand back to the queue`);
        abort.abort();
      }
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  try {
    await watch.race(stopped);
  } catch (e) {
    abort.abort(); // children stop; each checkpoint stays beside its cache entry
    await Promise.race([worker.close(true).catch(() => undefined), sleep(2000)]);
    client.disconnect();
    throw new Error(`${(e as Error).message}: stopped (jobs in hand go back to the queue's retries; their checkpoints stay in this machine's cache)`);
  }
  watch.close();
  client.disconnect();
  return stats;
}
