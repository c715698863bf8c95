// npm run bench:loop — training speed against the loop a PyTorch user writes. cwrf: `cwrf train` (its own
// loop, its epoch times from run.json). PyTorch: bench/peers/torch_cifar.py, a plain script that loads the same
// member rows (exported once, as cwrf feeds them), shuffles with randperm, and steps the same model and optimizer
// for the same epochs. Both at 1 intra-op thread and 1 BLAS thread on the same kernels (matched), rounds
// alternated; PyTorch also with glibc's allocator thresholds set as cwrf sets them (MALLOC_MMAP_THRESHOLD_ and
// MALLOC_TRIM_THRESHOLD_ 1 GiB), which shows how much of a gap is the allocator. Prints per case the median
// epoch time (first epoch left out: warm-up), its min-max over rounds, the load average, and flags a ratio whose
// spreads overlap as "no measurable difference".
// BENCH_KERNELS=both also runs both engines on the CPU's own kernels (CWRF_BLAS_KERNELS=native, no OPENBLAS_CORETYPE
// or ATEN_CPU_CAPABILITY: what cwrf's AVX2 pin for identical bytes across CPUs costs, in both engines).
// BENCH_THREADS=2 runs both engines at 2 intra-op threads (and 2 BLAS/OMP threads): with a run at 1, what more
// cores give one model's training (bytes differ with --threads; see docs/guides/reproducibility.md).
// Env: BENCH_ROUNDS (default 5), BENCH_CASES (location,smallcnn,resnet20,vit-tiny), BENCH_KERNELS (pinned|both),
// BENCH_THREADS (default 1), CWRF_DATA_DIR.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tensor } from '../src/engine/index.ts';
import { ALLOCATOR_THRESHOLD } from '../src/engine/native.ts';
import { PINNED_KERNELS } from '../src/engine/index.ts';
import { writeNpy } from '../src/data/npy.ts';
import { loadRun } from '../src/runs/index.ts';
import { loadData } from '../src/train/index.ts';
import { matchedEnvironment, median } from './timing.ts';
import { benchDataDir } from './data-dir.ts';

const BIN = fileURLToPath(new URL('../bin/cwrf.mjs', import.meta.url));
const PEER = fileURLToPath(new URL('./peers/torch_cifar.py', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DATA = benchDataDir();
const THREADS = Number(process.env.BENCH_THREADS ?? 1);
if (!Number.isInteger(THREADS) || THREADS < 1) throw new Error(`BENCH_THREADS: '${process.env.BENCH_THREADS}' is not a positive integer`);

interface Case {
  name: string;
  /** `cwrf train` flags of the recipe (its epochs included). */
  args: string[];
}
const CIFAR = ['--dataset', 'cifar10-jpeg', '--augment', 'none', '--test-size', '1000'];
const CASES: Record<string, Case> = {
  location: { name: 'Location MLP 446-1024-512-256-128-30 tanh, Adam, batch 128, 2,505 members', args: ['--dataset', 'location', '--epochs', '8'] },
  smallcnn: { name: 'CIFAR-10 small CNN, Adam, batch 64, 5,000 members', args: [...CIFAR, '--model', 'smallcnn', '--population', '10000', '--batch-size', '64', '--epochs', '3'] },
  resnet20: { name: 'CIFAR-10 resnet20, SGD, batch 256, 2,500 members', args: [...CIFAR, '--model', 'resnet20', '--population', '5000', '--epochs', '3'] },
  'vit-tiny': { name: 'CIFAR-10 vit-tiny, AdamW, batch 128, 500 members', args: [...CIFAR, '--model', 'vit-tiny', '--population', '1000', '--epochs', '3'] },
};
const chosen = (process.env.BENCH_CASES ?? Object.keys(CASES).join(',')).split(',').map((k) => {
  if (!CASES[k]) throw new Error(`BENCH_CASES: unknown case '${k}' (${Object.keys(CASES).join(', ')})`);
  return [k, CASES[k]] as const;
});

const root = mkdtempSync(join(tmpdir(), 'cwrf-bench-loop-'));
const env = { ...matchedEnvironment(THREADS), CWRF_CACHE_DIR: join(root, 'cache') };
const mallocEnv = { ...env, MALLOC_MMAP_THRESHOLD_: String(ALLOCATOR_THRESHOLD), MALLOC_TRIM_THRESHOLD_: String(ALLOCATOR_THRESHOLD) };
const KERNELS = process.env.BENCH_KERNELS ?? 'pinned';
if (KERNELS !== 'pinned' && KERNELS !== 'both') throw new Error(`BENCH_KERNELS: '${KERNELS}' is not pinned or both`);
/** Both engines on the CPU's own kernels: no kernel pin in the environment, and cwrf told not to set one. */
const nativeEnv: NodeJS.ProcessEnv = { ...env, CWRF_BLAS_KERNELS: 'native' };
for (const k of Object.keys(PINNED_KERNELS)) delete nativeEnv[k];

function run(cmd: string, args: string[], e: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: e, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 4).join(' ')} failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return r.stdout;
}

/** `cwrf train` once into `out`; its epoch seconds. */
function cwrfEpochs(c: Case, out: string, e: NodeJS.ProcessEnv = env): number[] {
  rmSync(out, { recursive: true, force: true });
  run(process.execPath, [BIN, 'train', ...c.args, '--data-dir', DATA, '--threads', String(THREADS), '--out', out, '--quiet'], e);
  const run_ = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { metrics: { history: { seconds: number }[] } };
  return run_.metrics.history.map((h) => h.seconds);
}

/** The run's member rows and test rows as cwrf feeds them (normalised), and the peer's arguments. */
async function exportCase(dir: string, out: string): Promise<string> {
  const r = await loadRun(out);
  const data = await loadData(r.recipe, { dataDir: DATA });
  const pop = data.population.toInt32();
  const rows = Int32Array.from(pop.filter((_, i) => r.members[i]));
  const ix = tensor(rows, [rows.length], 'int64');
  mkdirSync(dir, { recursive: true });
  const save = (name: string, a: Float32Array | BigInt64Array, shape: number[]) => writeFileSync(join(dir, name), writeNpy(a, shape));
  save('xtr.npy', data.x.indexSelect(0, ix).toFloat32(), [rows.length, ...data.shape]);
  save('ytr.npy', new BigInt64Array(Array.from(data.y.indexSelect(0, ix).toInt32(), BigInt)), [rows.length]);
  save('xte.npy', data.testX.indexSelect(0, data.test).toFloat32(), [data.testLabels.length, ...data.shape]);
  save('yte.npy', new BigInt64Array(Array.from(data.testLabels, BigInt)), [data.testLabels.length]);
  const { model, optimizer, schedule, epochs, batchSize } = r.recipe;
  return JSON.stringify({ model, optimizer, schedule, epochs, batchSize, threads: THREADS, seed: 0 });
}

function peerEpochs(dir: string, args: string, e: NodeJS.ProcessEnv): number[] {
  const out = run('/usr/bin/python3', [PEER, dir, args], e);
  return (JSON.parse(out.trim().split('\n').pop()!) as { epochSeconds: number[] }).epochSeconds;
}

type Engine = 'cwrf' | 'pytorch' | 'pytorch (cwrf allocator)' | 'cwrf, native kernels' | 'pytorch, native kernels';
const ENGINES: Engine[] = ['cwrf', 'pytorch', 'pytorch (cwrf allocator)', ...(KERNELS === 'both' ? (['cwrf, native kernels', 'pytorch, native kernels'] as const) : [])];
const steady = (epochs: number[]) => median(epochs.slice(1));
console.log(`machine: ${cpus()[0]?.model ?? '?'} x${cpus().length}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the start; ${ROUNDS} rounds, engines alternated`);
console.log(`matched: ${THREADS} intra-op thread(s), OPENBLAS/OMP ${THREADS} thread(s), the same BLAS/ATen kernels (${Object.entries(PINNED_KERNELS).map(([k, v]) => `${k}=${process.env[k] ?? v}`).join(', ')}${KERNELS === 'both' ? '; "native kernels": both engines without the pin' : ''}); epoch time = median of epochs 2.. of a round`);
console.log('');
console.log('| case | engine | epoch s (median of rounds) | min-max over rounds | ratio (vs cwrf unless said) | load average |');
console.log('|---|---|---|---|---|---|');
for (const [key, c] of chosen) {
  const out = join(root, `${key}-warm`);
  cwrfEpochs(c, out); // warm: decodes and caches the images, and gives the recipe
  const dir = join(root, key);
  const peerArgs = await exportCase(dir, out);
  const times = Object.fromEntries(ENGINES.map((e) => [e, [] as number[]])) as Record<Engine, number[]>;
  const loads: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    loads.push(loadavg()[0]);
    const order = r % 2 ? [...ENGINES].reverse() : ENGINES;
    for (const e of order) {
      const seconds =
        e === 'cwrf' || e === 'cwrf, native kernels'
          ? cwrfEpochs(c, join(root, `${key}-r`), e === 'cwrf' ? env : nativeEnv)
          : peerEpochs(dir, peerArgs, e === 'pytorch' ? env : e === 'pytorch (cwrf allocator)' ? mallocEnv : nativeEnv);
      times[e].push(steady(seconds));
    }
  }
  const cw = times.cwrf;
  for (const e of ENGINES) {
    const ts = times[e];
    // the native-kernel rows compare with their own engine pinned: the pin's cost
    const ref = e === 'pytorch, native kernels' ? times.pytorch : cw;
    const what = e === 'cwrf, native kernels' || e === 'pytorch, native kernels' ? ` vs ${e.split(',')[0]} pinned` : '';
    const overlap = e !== 'cwrf' && Math.min(...ts) <= Math.max(...ref) && Math.min(...ref) <= Math.max(...ts);
    const ratio = e === 'cwrf' ? '' : `${(median(ts) / median(ref)).toFixed(2)}x${what}${overlap ? ' (spreads overlap: no measurable difference)' : ''}`;
    console.log(`| ${c.name} | ${e} | ${median(ts).toFixed(3)} | ${Math.min(...ts).toFixed(3)}-${Math.max(...ts).toFixed(3)} | ${ratio} | ${loads.map((l) => l.toFixed(1)).join('/')} |`);
  }
}
rmSync(root, { recursive: true, force: true });
