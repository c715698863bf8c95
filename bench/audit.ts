// npm run bench:audit — an audit of the Location MLP with BENCH_REFS (default 8) reference models, trained
// by 1 worker process and by one worker per core, every model with the thread policy's count (1 unless
// CWRF_THREADS says otherwise), so both give the same signals. Fresh caches, so every reference model is
// trained. Prints wall times, the speed-up, reference models per minute and the load average.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { useTrainingThreads } from '../src/engine/threads.ts';
import { audit } from '../src/audit/index.ts';
import { train } from '../src/runs/index.ts';
import { defaultRecipe } from '../src/train/index.ts';
import { benchDataDir } from './data-dir.ts';

const SHARED = benchDataDir();
const REFS = Number(process.env.BENCH_REFS ?? 8);
const cores = cpus().length;
const root = mkdtempSync(join(tmpdir(), 'cwrf-bench-audit-'));
const threads = useTrainingThreads();
const run = await train(defaultRecipe('location'), { dataDir: SHARED, out: join(root, 'target') });

async function timedAudit(workers: number): Promise<{ seconds: number; auc: number; load: number }> {
  process.env.CWRF_CACHE_DIR = join(root, `cache-${workers}`);
  const load = loadavg()[0];
  const t0 = performance.now();
  const a = await audit(run, { dataDir: SHARED, refs: REFS, workers, out: join(root, `audit-${workers}`), attacks: ['lira-online-fixed', 'rmia-online', 'loss'] });
  return { seconds: (performance.now() - t0) / 1000, auc: a.attacks[0].metrics.auc, load };
}
const one = await timedAudit(1);
const all = await timedAudit(cores);
console.log(`machine: ${cpus()[0]?.model ?? '?'} x${cores}; Location MLP 446-1024-512-256-128-30, 30 epochs, ${REFS} reference models (fresh cache), ${threads} intra-op thread(s) each, 1 run each`);
console.log('| workers | wall time | reference models / min | LiRA AUC | load average at start |');
console.log('|---|---|---|---|---|');
for (const [w, r] of [[1, one], [cores, all]] as const)
  console.log(`| ${w} | ${r.seconds.toFixed(1)} s | ${((60 * REFS) / r.seconds).toFixed(1)} | ${r.auc.toFixed(3)} | ${r.load.toFixed(2)} |`);
console.log(`speed-up with ${cores} workers: ${(one.seconds / all.seconds).toFixed(2)}x`);
rmSync(root, { recursive: true, force: true });
