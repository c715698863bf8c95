// Issue 29, probe 7 (fast half): the coordinator's executor on a real redis-server that is killed. Restarted
// empty, the lost jobs are queued again and the audit's results still arrive (a stand-in worker in this process
// answers them); not restarted, the executor gives up after --redis-timeout with one line and closes cleanly.
// src/references/queue/redis-loss.slow.test.ts does the same with the CLI and real workers.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { packMembers, type ReferenceOutcome, type ReferenceTask } from '../reference-task.ts';
import { memberMask } from '../../data/index.ts';
import { defaultRecipe, loadData, type Recipe } from '../../train/index.ts';
import { queueExecutor } from './coordinator.ts';
import { QUEUE_NAME, type QueueJob } from './job.ts';
import { parseQueueUrl } from './url.ts';
import { DATASET, startRedis } from './_testing.ts';

const cleanup: (() => unknown)[] = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});
const rejections: unknown[] = [];
process.on('unhandledRejection', (e) => rejections.push(e));

const recipe: Recipe = { ...defaultRecipe(DATASET), model: { arch: 'mlp', hidden: [8] }, epochs: 1, split: { seed: 0, populationSize: 400 } };

async function tasks(n: number): Promise<{ tasks: ReferenceTask[]; classes: number }> {
  const data = await loadData(recipe, {});
  const pop = data.split.population.length;
  return {
    classes: data.classes,
    tasks: Array.from({ length: n }, (_, k) => ({
      recipe: { ...recipe, seed: 100 + k, memberSeed: 100 + k },
      members: packMembers(memberMask(pop, k)),
      population: pop,
      cacheRoot: '/nonexistent',
      threads: 1,
    })),
  };
}

/** Waits until `cond()` holds, polling. */
async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Jobs waiting in the queue, read with a short-lived client. */
async function waiting(url: string): Promise<number> {
  const c = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null, lazyConnect: true });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return await c.llen(`bull:${QUEUE_NAME}:wait`);
  } catch {
    return -1;
  } finally {
    c.disconnect();
  }
}

test('Redis killed and restarted empty: one line lost, one back, the missing jobs queued again, every result arrives', async () => {
  const redis = await startRedis();
  let server = redis;
  cleanup.push(() => server.stop());
  const lines: string[] = [];
  const exec = await queueExecutor(parseQueueUrl(redis.url), { redisTimeoutMs: 20000, pollMs: 100, log: (l) => lines.push(l) });
  cleanup.push(() => exec.close());
  const { tasks: ts, classes } = await tasks(2);
  const results = new Map<number, ReferenceOutcome>();
  const running = exec.run(ts, { result: async (i, o) => void results.set(i, o), progress: () => {} });
  await until(async () => (await waiting(redis.url)) === 2, 'two waiting jobs');

  server.stop();
  await until(() => lines.some((l) => l.startsWith('lost the connection to Redis')), 'the lost line');
  server = await startRedis([], redis.port);
  await until(() => lines.some((l) => /no longer has 2 of this audit's 2 jobs/.test(l)), 'the jobs queued again');

  const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
  const worker = new Worker<QueueJob, ReferenceOutcome>(
    QUEUE_NAME,
    async (job) => ({ logits: Buffer.alloc(job.data.spec.population * classes * 4).toString('base64'), classes, queries: 1, trainAccuracy: 0.5, testAccuracy: 0.5, seconds: 0, threads: 1 }),
    { connection: conn },
  );
  cleanup.push(async () => (await worker.close(), conn.disconnect()));
  await running;
  assert.deepEqual([...results.keys()].sort(), [0, 1]);
  assert.equal(lines.length, 3, lines.join('\n'));
  assert.match(lines[0], new RegExp(`^lost the connection to Redis at redis://127\\.0\\.0\\.1:${redis.port}/0: retrying for up to 20 s \\(--redis-timeout\\)$`));
  assert.match(lines[1], /^reconnected to Redis at .* after \d+\.\d s$/);
  assert.match(lines[2], /^Redis at .* no longer has 2 of this audit's 2 jobs \(restarted empty\?\): queued them again$/);
  assert.deepEqual(rejections, []);
});

test('Redis killed for good: the executor gives up after the timeout with one line and closes', async () => {
  const redis = await startRedis();
  cleanup.push(() => redis.stop());
  const lines: string[] = [];
  const exec = await queueExecutor(parseQueueUrl(redis.url), { redisTimeoutMs: 1500, pollMs: 100, log: (l) => lines.push(l) });
  const { tasks: ts } = await tasks(1);
  const running = exec.run(ts, { result: async () => {}, progress: () => {} });
  await until(async () => (await waiting(redis.url)) === 1, 'a waiting job');
  redis.stop();
  await assert.rejects(running, (e: Error) => {
    assert.equal(e.message, `Redis at redis://127.0.0.1:${redis.port}/0 did not come back within 1.5 s (--redis-timeout): the 0 reference model(s) received are kept in the local cache; rerun the audit (with or without --queue) to continue`);
    return true;
  });
  await exec.close();
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.deepEqual(rejections, []);
});
