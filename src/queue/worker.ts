// `cwrf worker`: takes reference jobs from the queue and trains each in a child process (processReference),
// keeping weights and results in this machine's cache and returning the result rows to the coordinator.
import { hostname } from 'node:os';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { cacheDir, runInChild, versions, type ReferenceOutcome } from '../experiments/index.ts';
import { validateRecipe } from '../train/index.ts';
import { InputError } from '../util/errors.ts';
import { connectRedis } from './connect.ts';
import { REFUSED } from './coordinator.ts';
import { jobProblem, QUEUE_NAME, type QueueJob } from './job.ts';
import type { QueueUrl } from './url.ts';

export interface WorkerOptions {
  concurrency: number;
  dataDir?: string;
  cacheRoot?: string;
  log: (line: string) => void;
}

/** Lock duration in ms ($CWRF_QUEUE_LOCK_MS, default BullMQ's 30000): a killed worker's job is retried after about this long. */
function lockMs(): number {
  const raw = process.env.CWRF_QUEUE_LOCK_MS;
  const v = Number(raw ?? 30000);
  if (raw === '' || !Number.isInteger(v) || v < 500) throw new InputError(`CWRF_QUEUE_LOCK_MS must be an integer >= 500, got '${raw}'`);
  return v;
}

/** Runs a worker until SIGTERM/SIGINT: the first finishes the jobs in hand, a second hands them back to the queue at once. */
export async function runWorker(url: QueueUrl, o: WorkerOptions): Promise<{ completed: number; failed: number }> {
  const lock = lockMs();
  const client = await connectRedis(url);
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
  worker.on('error', (e) => o.log(`${me}: ${e.message.split('\n')[0]}`));
  await worker.waitUntilReady();
  o.log(`${me}: cwrf ${version} worker on ${url.display}, queue '${QUEUE_NAME}', concurrency ${o.concurrency} (each job trains with the audit's thread count)`);

  await new Promise<void>((resolve) => {
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
  client.disconnect();
  return stats;
}
