// The queue end to end on a real redis-server (loopback): two workers train an audit's references and the
// signals match a local audit byte for byte; workers refuse a wrong version or dataset checksum; bad URL,
// unreachable server and wrong password are one-line errors with exit 2.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { cwrf, DATASET, startRedis, startWorker, stopWorker, type WorkerProc } from './_testing.ts';
import { jobId, QUEUE_NAME, type QueueJob } from './job.ts';
import { assertOneLineError as oneLineError } from '../../cli/_testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'cwrf-queue-'));
const env = (cache: string, extra: NodeJS.ProcessEnv = {}) => ({ ...process.env, CWRF_CACHE_DIR: join(dir, cache), ...extra });
const cleanup: (() => unknown)[] = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});


test('bad URL, unreachable server, wrong password: one line, exit 2', async () => {
  const secured = await startRedis(['--requirepass', 'right-password']);
  cleanup.push(secured.stop);
  const e = env('errors');
  const [bad, noPort, unreachable, wrong, missing] = await Promise.all([
    cwrf(e, 'worker', '--queue', 'http://127.0.0.1:6379'),
    cwrf(e, 'worker', '--queue', 'redis://127.0.0.1'),
    cwrf(e, 'worker', '--queue', `redis://127.0.0.1:1`),
    cwrf(e, 'worker', '--queue', `redis://:wrong-password@127.0.0.1:${secured.port}`),
    cwrf(e, 'audit', join(dir, 'no-run'), '--queue', `redis://127.0.0.1:${secured.port}`),
  ]);
  oneLineError(bad, /not a redis:\/\/ or rediss:\/\/ URL/);
  oneLineError(noPort, /has no port/);
  oneLineError(unreachable, /cannot reach Redis at 127\.0\.0\.1:1: connection refused/);
  oneLineError(wrong, /refused the user name or password/);
  assert.doesNotMatch(wrong.err, /wrong-password/, 'the password is not echoed');
  oneLineError(missing, /not a cwrf run/);
});

test('two workers train the references: signals byte-identical to a local audit; wrong version or checksum refused', async () => {
  const redis = await startRedis();
  cleanup.push(redis.stop);
  const run = join(dir, 'run');
  const common = ['--quiet'];
  const t = await cwrf(env('target'), 'train', '--dataset', DATASET, '--hidden', '16', '--epochs', '2', '--population', '400', '--out', run, ...common);
  assert.equal(t.code, 0, t.err);
  const workers: WorkerProc[] = ['w1', 'w2'].map((w) => startWorker(env(w), '--queue', redis.url));
  cleanup.push(() => Promise.all(workers.map(stopWorker)));
  const auditArgs = ['audit', run, '--refs', '4', '--attacks', 'lira-online-fixed,rmia-online,loss', '--json', ...common];
  const [local, queued] = await Promise.all([
    cwrf(env('local'), ...auditArgs, '--workers', '2', '--out', join(dir, 'local')),
    cwrf(env('coordinator'), ...auditArgs, '--queue', redis.url, '--out', join(dir, 'queued')),
  ]);
  assert.equal(local.code, 0, local.err);
  assert.equal(queued.code, 0, queued.err);
  assert.ok(readFileSync(join(dir, 'queued', 'signals.safetensors')).equals(readFileSync(join(dir, 'local', 'signals.safetensors'))), 'signals differ');
  assert.deepEqual(JSON.parse(queued.out).attacks, JSON.parse(local.out).attacks);
  assert.ok(JSON.parse(queued.out).references.every((r: { cached: boolean }) => !r.cached));
  const trained = workers.map((w) => (w.log().match(/ done\n/g) ?? []).length);
  assert.equal(trained[0] + trained[1], 4, `each reference trained once: ${trained}`);

  const again = await cwrf(env('coordinator'), ...auditArgs, '--queue', redis.url, '--out', join(dir, 'queued2'));
  assert.ok(JSON.parse(again.out).references.every((r: { cached: boolean }) => r.cached), 'a rerun reads the local cache, enqueues nothing');

  const client = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue<QueueJob>(QUEUE_NAME, { connection: client });
  const eventsClient = client.duplicate();
  const events = new QueueEvents(QUEUE_NAME, { connection: eventsClient });
  cleanup.push(async () => (await events.close(), await queue.close(), eventsClient.disconnect(), client.disconnect()));
  const [done] = await queue.getCompleted();
  const refuse = async (data: QueueJob, pattern: RegExp) => {
    const job = await queue.add('reference', data, { jobId: jobId(data), attempts: 3 });
    await assert.rejects(job.waitUntilFinished(events), pattern);
    assert.equal((await queue.getJob(job.id!))!.attemptsMade, 1, 'a refusal is not retried');
  };
  await refuse({ ...done.data, cwrf: '0.0.0-other' }, /refused by worker .*: the job is for cwrf 0\.0\.0-other, this worker runs cwrf/);
  await refuse({ ...done.data, dataset: { ...done.data.dataset, sha256: 'f'.repeat(64) } }, /refused by worker .*sha256 [0-9a-f]{64}, the job wants f{64}/);
  await refuse({ ...done.data, spec: { ...done.data.spec, code: 'process.exit()' } } as unknown as QueueJob, /refused by worker .*invalid job: \/spec must NOT have additional properties 'code'/);

  assert.deepEqual(await Promise.all(workers.map(stopWorker)), [0, 0], 'SIGTERM stops a worker cleanly');
});
