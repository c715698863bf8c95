// Faults on a real redis-server: a worker killed -9 mid-job (its job is retried by the other after the
// stalled check) and a coordinator killed -9 mid-audit and rerun (it picks up the finished results): the
// audit completes with signals byte-identical to a local audit, and only the killed job trains twice.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cwrf, DATASET, startRedis, startWorker, stopWorker, type WorkerProc } from './_testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'cwrf-queue-faults-'));
const env = (cache: string) => ({ ...process.env, CWRF_CACHE_DIR: join(dir, cache), CWRF_QUEUE_LOCK_MS: '4000' });
const cleanup: (() => unknown)[] = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});
const count = (w: WorkerProc, re: RegExp) => (w.log().match(new RegExp(re.source, 'g')) ?? []).length;

test('worker killed -9 mid-job, coordinator killed -9 and rerun: signals byte-identical, nothing trained twice but the killed job', async () => {
  const redis = await startRedis();
  cleanup.push(redis.stop);
  const run = join(dir, 'run');
  const common = ['--quiet'];
  const t = await cwrf(env('target'), 'train', '--dataset', DATASET, '--hidden', '32', '--epochs', '6', '--population', '600', '--out', run, ...common);
  assert.equal(t.code, 0, t.err);
  const auditArgs = ['audit', run, '--refs', '4', '--attacks', 'lira-online-fixed,loss', ...common];
  const local = cwrf(env('local'), ...auditArgs, '--workers', '1', '--out', join(dir, 'local'));

  const workers = ['w1', 'w2'].map((w) => startWorker(env(w), '--queue', redis.url));
  cleanup.push(() => Promise.all(workers.map(stopWorker)));
  const [w1, w2] = workers;
  await Promise.all(workers.map((w) => w.waitFor(/worker on redis/)));
  const first = spawn(process.execPath, [BIN, ...auditArgs, '--queue', redis.url, '--out', join(dir, 'queued')], { env: env('coordinator'), stdio: 'ignore' });
  await w1.waitFor(/started/);
  w1.proc.kill('SIGKILL');
  await w2.waitFor(/ done\n/);
  first.kill('SIGKILL');
  const second = await cwrf(env('coordinator'), ...auditArgs, '--queue', redis.url, '--out', join(dir, 'queued'));
  assert.equal(second.code, 0, second.err);
  assert.equal((await local).code, 0);
  assert.ok(readFileSync(join(dir, 'queued', 'signals.safetensors')).equals(readFileSync(join(dir, 'local', 'signals.safetensors'))), 'signals differ');
  assert.equal(count(w1, / done\n/), 0, 'the killed worker finished nothing');
  assert.equal(count(w2, / done\n/), 4, `the other worker trained all four references:\n${w2.log()}`);
  assert.equal(count(w1, /started/) + count(w2, /started/), 5, 'only the killed job ran twice');
});
