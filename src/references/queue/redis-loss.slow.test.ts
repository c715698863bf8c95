// Issue 29, probe 7 end to end: redis-server killed during a queued audit with two workers. Restarted (empty,
// as a server without persistence comes back), the coordinator and the workers say so in one line each, the lost
// jobs are queued again and the audit ends with the signals of a local audit. Not restarted, every process exits 1
// after --redis-timeout with one line and no stack trace, and a local rerun continues from the references kept.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cwrf, DATASET, startRedis, startWorker, stopWorker, type WorkerProc } from './_testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'cwrf-redis-loss-'));
const env = (cache: string) => ({ ...process.env, CWRF_CACHE_DIR: join(dir, cache), CWRF_QUEUE_LOCK_MS: '4000' });
const cleanup: (() => unknown)[] = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});
const common: string[] = [];
const noNoise = (log: string, who: string) => {
  assert.doesNotMatch(log, /Unhandled error event|\n\s+at /, `${who}: no ioredis error events, no stack traces:\n${log}`);
};

/** A coordinator in the background, its stderr so far, and its exit. */
function coordinator(cache: string, ...args: string[]) {
  const p = spawn(process.execPath, [BIN, ...args], { env: env(cache), stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((r) => p.on('exit', (c) => r(c)));
  cleanup.push(() => p.exitCode === null && p.kill('SIGKILL'));
  return { exit, err: () => err, out: () => out };
}

async function setup(name: string, workerTimeout: string) {
  const redis = await startRedis();
  let server = redis;
  cleanup.push(() => server.stop());
  const run = join(dir, `run-${name}`);
  const t = await cwrf(env('target'), 'train', '--dataset', DATASET, '--hidden', '32', '--epochs', '6', '--population', '600', '--out', run, '--quiet', ...common);
  assert.equal(t.code, 0, t.err);
  const workers: WorkerProc[] = ['w1', 'w2'].map((w) => startWorker(env(`${name}-${w}`), '--queue', redis.url, '--redis-timeout', workerTimeout, ...common));
  cleanup.push(() => Promise.all(workers.map(stopWorker)));
  await Promise.all(workers.map((w) => w.waitFor(/worker on redis/)));
  return { redis, run, workers, restart: async () => (server = await startRedis([], redis.port)) };
}

test('killed and restarted empty mid-audit: one line lost and one back per process, jobs queued again, signals as a local audit', async () => {
  const { redis, run, workers, restart } = await setup('restart', '30');
  const auditArgs = ['audit', run, '--refs', '4', '--attacks', 'lira-online-fixed,loss', ...common];
  const local = cwrf(env('local'), ...auditArgs, '--workers', '1', '--quiet', '--out', join(dir, 'local'));
  const co = coordinator('coordinator', ...auditArgs, '--queue', redis.url, '--redis-timeout', '30', '--out', join(dir, 'queued'));
  await Promise.race(workers.map((w) => w.waitFor(/ done\n/, 120000)));
  redis.stop();
  await Promise.all(workers.map((w) => w.waitFor(/lost the connection to Redis/)));
  await restart();
  assert.equal(await co.exit, 0, co.err());
  assert.equal((await local).code, 0);
  assert.ok(readFileSync(join(dir, 'queued', 'signals.safetensors')).equals(readFileSync(join(dir, 'local', 'signals.safetensors'))), 'signals differ');
  const err = co.err();
  assert.equal(err.match(/lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+\/0: retrying for up to 30 s \(--redis-timeout\)/g)?.length, 1, err);
  assert.equal(err.match(/reconnected to Redis at .* after \d+\.\d s/g)?.length, 1, err);
  assert.match(err, /no longer has \d of this audit's 4 jobs \(restarted empty\?\): queued them again/);
  noNoise(err, 'coordinator');
  for (const w of workers) {
    assert.equal(w.log().match(/lost the connection to Redis/g)?.length, 1, w.log());
    assert.equal(w.log().match(/reconnected to Redis/g)?.length, 1, w.log());
    noNoise(w.log(), 'worker');
  }
  assert.deepEqual(await Promise.all(workers.map(stopWorker)), [0, 0]);
});

test('killed for good: the coordinator and the workers exit 1 after --redis-timeout with one line; a local rerun continues', async () => {
  const { redis, run, workers: short } = await setup('gone', '3');
  const auditArgs = ['audit', run, '--refs', '4', '--attacks', 'lira-online-fixed,loss', ...common];
  const co = coordinator('kept', ...auditArgs, '--queue', redis.url, '--redis-timeout', '3', '--quiet', '--out', join(dir, 'never'));
  await Promise.race(short.map((w) => w.waitFor(/ done\n/, 120000)));
  redis.stop();
  assert.equal(await co.exit, 1);
  const lines = co.err().trim().split('\n');
  assert.equal(lines.length, 1, co.err());
  const m = /^cwrf audit: Redis at .* did not come back within 3 s \(--redis-timeout\): the (\d) reference model\(s\) received are kept in the local cache; rerun the audit \(with or without --queue\) to continue$/.exec(lines[0]);
  assert.ok(m, lines[0]);
  for (const w of short) {
    const code = await new Promise<number | null>((r) => (w.proc.exitCode !== null ? r(w.proc.exitCode) : w.proc.once('exit', (c) => r(c))));
    assert.equal(code, 1, w.log());
    assert.match(w.log(), /cwrf worker: Redis at .* did not come back within 3 s \(--redis-timeout\): stopped/);
    noNoise(w.log(), 'worker');
  }
  const rerun = await cwrf(env('kept'), ...auditArgs, '--workers', '1', '--quiet', '--json', '--out', join(dir, 'rerun'));
  assert.equal(rerun.code, 0, rerun.err);
  const cached = JSON.parse(rerun.out).references.filter((r: { cached: boolean }) => r.cached).length;
  assert.equal(cached, Number(m[1]), 'the rerun reuses every reference received before Redis went away');
});
