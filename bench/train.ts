// npm run bench:train — whole-process wall time of `cwrf train` (default settings) for the Location and MNIST
// recipes (30 epochs), and of an equivalent PyTorch script (same architecture, Adam 1e-3, batch 128, 30
// epochs, the same member rows exported once), each on a quiet machine and beside two CPU hogs (busy-loop
// processes), interleaved, median of BENCH_REPS (default 3). PyTorch runs as a user runs it (defaults).
// Env: BENCH_REPS, BENCH_DATASETS (default location,mnist), BENCH_SKIP_PY=1, CWRF_DATA_DIR.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tensor } from '../src/engine/index.ts';
import { targetMembers } from '../src/runs/index.ts';
import { defaultRecipe, loadData, type Recipe } from '../src/train/index.ts';
import { benchDataDir } from './data-dir.ts';
import { userEnvironment } from './timing.ts';

const SHARED = benchDataDir();
const BIN = fileURLToPath(new URL('../bin/cwrf.mjs', import.meta.url));
const REPS = Number(process.env.BENCH_REPS ?? 3);
const DATASETS = (process.env.BENCH_DATASETS ?? 'location,mnist').split(',');
const root = mkdtempSync(join(tmpdir(), 'cwrf-bench-train-'));

interface Case {
  name: string;
  args: string[];
  recipe: Recipe;
  sizes: number[];
}
const cases: Case[] = DATASETS.map((d) => {
  const recipe: Recipe = d === 'mnist' ? { ...defaultRecipe('mnist'), split: { ...defaultRecipe('mnist').split, populationSize: 4000 } } : defaultRecipe(d);
  return { name: d === 'mnist' ? 'MNIST MLP 784-512-256-10 relu, 2,000 members' : 'Location MLP 446-1024-512-256-128-30 tanh', args: d === 'mnist' ? ['--population', '4000'] : [], recipe, sizes: [] };
});

/** Writes the members' and test rows (float32, as cwrf feeds them) and labels (int64) for the PyTorch script. */
async function exportData(c: Case): Promise<string> {
  const data = await loadData(c.recipe, { dataDir: SHARED });
  const pop = data.population.toInt32();
  const members = targetMembers(c.recipe, pop.length);
  const rows = Int32Array.from(pop.filter((_, i) => members[i]));
  const ix = tensor(rows, [rows.length], 'int64');
  const prefix = join(root, c.recipe.dataset);
  const features = data.shape.reduce((a, b) => a * b, 1);
  writeFileSync(`${prefix}.x`, data.x.indexSelect(0, ix).toFloat32());
  writeFileSync(`${prefix}.y`, new BigInt64Array(Array.from(data.y.indexSelect(0, ix).toInt32(), BigInt)));
  writeFileSync(`${prefix}.tx`, data.testX.indexSelect(0, data.test).toFloat32());
  writeFileSync(`${prefix}.ty`, new BigInt64Array(Array.from(data.testLabels, BigInt)));
  const m = c.recipe.model as { hidden: number[]; activation: string };
  c.sizes = [features, ...m.hidden, data.classes];
  return prefix;
}

const PY = `
import sys, numpy as np, torch
prefix, sizes, act = sys.argv[1], [int(s) for s in sys.argv[2].split(',')], sys.argv[3]
x = torch.from_numpy(np.fromfile(prefix + '.x', dtype=np.float32).reshape(-1, sizes[0]))
y = torch.from_numpy(np.fromfile(prefix + '.y', dtype=np.int64))
tx = torch.from_numpy(np.fromfile(prefix + '.tx', dtype=np.float32).reshape(-1, sizes[0]))
ty = torch.from_numpy(np.fromfile(prefix + '.ty', dtype=np.int64))
torch.manual_seed(0)
A = torch.nn.Tanh if act == 'tanh' else torch.nn.ReLU
layers = []
for i in range(len(sizes) - 1):
    layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
    if i < len(sizes) - 2: layers.append(A())
net = torch.nn.Sequential(*layers)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
for epoch in range(30):
    for b in torch.randperm(len(y)).split(128):
        opt.zero_grad(); torch.nn.functional.cross_entropy(net(x[b]), y[b]).backward(); opt.step()
with torch.no_grad():
    print((net(tx).argmax(1) == ty).float().mean().item())
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Wall seconds of one process, and the 1-minute load average when it started. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { seconds: number; load: number } {
  const load = loadavg()[0];
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} failed: ${r.stderr.trim().split('\n').pop()}`);
  return { seconds: (performance.now() - t0) / 1000, load };
}

function hogs(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
}

const prefixes = new Map<Case, string>();
for (const c of cases) prefixes.set(c, await exportData(c));
const userEnv = userEnvironment();
const cwrfEnv: NodeJS.ProcessEnv = { ...process.env, CWRF_CACHE_DIR: join(root, 'cache') };

type Key = `${string}|${'cwrf' | 'pytorch'}|${'quiet' | 'loaded'}`;
const times = new Map<Key, { seconds: number; load: number }[]>();
const add = (k: Key, t: { seconds: number; load: number }) => {
  times.set(k, [...(times.get(k) ?? []), t]);
  console.error(`${k.replaceAll('|', ', ')}: ${t.seconds.toFixed(1)} s (load average ${t.load.toFixed(2)})`);
};
for (let rep = 0; rep < REPS; rep++) {
  for (const cond of ['quiet', 'loaded'] as const) {
    const h = cond === 'loaded' ? hogs(2) : [];
    try {
      for (const c of cases) {
        const out = join(root, `run-${c.recipe.dataset}-${cond}-${rep}`);
        add(`${c.name}|cwrf|${cond}`, timed(process.execPath, [BIN, 'train', '--dataset', c.recipe.dataset, '--data-dir', SHARED, ...c.args, '--out', out, '--quiet'], cwrfEnv));
        rmSync(out, { recursive: true, force: true });
        if (!process.env.BENCH_SKIP_PY) add(`${c.name}|pytorch|${cond}`, timed('/usr/bin/python3', ['-c', PY, prefixes.get(c)!, c.sizes.join(','), (c.recipe.model as { activation: string }).activation], userEnv));
      }
    } finally {
      for (const p of h) p.kill();
    }
    console.error(`rep ${rep + 1}/${REPS} ${cond} done`);
  }
}

const cell = (k: Key) => {
  const t = times.get(k);
  return t ? { s: median(t.map((x) => x.seconds)), loads: t.map((x) => x.load.toFixed(1)).join('/') } : null;
};
console.log(`machine: ${cpus()[0]?.model ?? '?'} x${cpus().length}; loaded = beside 2 busy-loop processes; whole-process wall time, median of ${REPS} (interleaved: quiet, then loaded, per rep)`);
console.log('cwrf: `cwrf train --dataset D` with default settings; PyTorch: the same MLP, Adam 1e-3, batch 128, 30 epochs on the same members, default torch settings');
console.log('');
console.log('| recipe | tool | quiet | loaded | loaded / quiet | load average at start (quiet; loaded) |');
console.log('|---|---|---|---|---|---|');
for (const c of cases)
  for (const tool of ['cwrf', 'pytorch'] as const) {
    const q = cell(`${c.name}|${tool}|quiet`);
    const l = cell(`${c.name}|${tool}|loaded`);
    if (!q || !l) continue;
    console.log(`| ${c.name} | ${tool} | ${q.s.toFixed(1)} s | ${l.s.toFixed(1)} s | ${(l.s / q.s).toFixed(2)}x | ${q.loads}; ${l.loads} |`);
  }
rmSync(root, { recursive: true, force: true });
