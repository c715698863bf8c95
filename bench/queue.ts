// npm run bench:queue — an audit of the Location MLP whose reference models train through the Redis queue
// (2 local `cwrf worker` processes, 1 thread each) vs the local pool (`--workers 2`, 1 thread each).
// Rounds interleave the two (ABBA order) on fresh reference seeds, so neither reads a cache; prints wall
// times, the queue's overhead, reference models per minute and the machine's load around each run.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setThreads } from '../src/engine/index.ts';
import { audit } from '../src/audit/index.ts';
import { train } from '../src/runs/index.ts';
import { type ReferenceExecutor } from '../src/references/index.ts';
import { parseQueueUrl, queueExecutor } from '../src/references/queue/index.ts';
import { startRedis, startWorker, stopWorker } from '../src/references/queue/_testing.ts';
import { defaultRecipe } from '../src/train/index.ts';
import { benchDataDir } from './data-dir.ts';

const SHARED = benchDataDir();
const REFS = Number(process.env.BENCH_REFS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 10);
const root = mkdtempSync(join(tmpdir(), 'cwrf-bench-queue-'));
setThreads(cpus().length);
const recipe = { ...defaultRecipe('location'), epochs: EPOCHS };
process.env.CWRF_CACHE_DIR = join(root, 'cache-target');
const run = await train(recipe, { dataDir: SHARED, out: join(root, 'target') });

const redis = await startRedis();
const workers = ['w1', 'w2'].map((w) =>
  startWorker({ ...process.env, CWRF_CACHE_DIR: join(root, `cache-${w}`) }, '--queue', redis.url, '--data-dir', SHARED),
);
await Promise.all(workers.map((w) => w.waitFor(/worker on redis/)));
const stopAll = async () => (await Promise.all(workers.map(stopWorker)), redis.stop());
process.on('exit', () => (workers.forEach((w) => w.proc.kill('SIGKILL')), redis.stop()));
const queue = await queueExecutor(parseQueueUrl(redis.url));

const load = () => loadavg()[0].toFixed(1);
async function timed(kind: 'local' | 'queue', round: number): Promise<{ kind: string; seconds: number; load: string }> {
  process.env.CWRF_CACHE_DIR = join(root, `cache-${kind}-${round}`);
  const executor: ReferenceExecutor | undefined = kind === 'queue' ? queue : undefined;
  const l0 = load();
  const t0 = performance.now();
  await audit(run, { dataDir: SHARED, refs: REFS, seed: 1000 + round, workers: 2, executor, out: join(root, `audit-${kind}-${round}`), attacks: ['loss'] });
  return { kind, seconds: (performance.now() - t0) / 1000, load: `${l0} -> ${load()}` };
}
const rows: { round: number; kind: string; seconds: number; load: string }[] = [];
for (let r = 0; r < ROUNDS; r++) for (const kind of r % 2 ? (['queue', 'local'] as const) : (['local', 'queue'] as const)) rows.push({ round: r, ...(await timed(kind, r)) });
await queue.close();
await stopAll();

const total = (k: string) => rows.filter((x) => x.kind === k).reduce((a, x) => a + x.seconds, 0);
console.log(`machine: ${cpus()[0]?.model ?? '?'} x${cpus().length} (shared); Location MLP 446-1024-512-256-128-30, ${EPOCHS} epochs, ${REFS} fresh reference models per audit, ${ROUNDS} rounds (ABBA)`);
console.log('| round | executor | wall time | reference models / min | 1-min load avg (before -> after) |');
console.log('|---|---|---|---|---|');
for (const x of rows) console.log(`| ${x.round} | ${x.kind === 'queue' ? 'queue, 2 workers' : '--workers 2'} | ${x.seconds.toFixed(1)} s | ${((60 * REFS) / x.seconds).toFixed(1)} | ${x.load} |`);
console.log(`queue overhead over all rounds: ${(100 * (total('queue') / total('local') - 1)).toFixed(1)}% (target <= 5%)`);
rmSync(root, { recursive: true, force: true });
