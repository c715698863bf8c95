// Where one image training step's time goes (resnet20, vit-tiny or smallcnn, batch 128, flip + crop, SGD momentum 0.9 / wd 5e-4):
// per phase and per ATen op in cwrf (each native call timed) and in Python PyTorch on the same libtorch
// (torch.autograd.profiler), then an A/B of cwrf's step before/after the GC fixes, alternating inside one process.
// Usage: node --import tsx bench/profile-step.ts [arch=resnet20] [steps=3] [rounds=5] [threads=1]
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import * as E from '../src/engine/index.ts';
import { native } from '../src/engine/native.ts';
import { augmentBatch } from '../src/data/index.ts';
import { buildModel, type ModelSpec } from '../src/nn/index.ts';
import { SGD } from '../src/optim/index.ts';
import { backwardStep, makeObjective } from '../src/train/index.ts';
import { matchedEnvironment, median } from './timing.ts';

const [ARCH, STEPS, ROUNDS, THREADS] = [process.argv[2] ?? 'resnet20', ...[3, 5, 1].map((d, i) => Number(process.argv[3 + i] ?? d))] as [string, number, number, number];
const BATCH = 128;
const PHASES = ['zeroGrad', 'augment', 'forward', 'loss', 'backward', 'step', 'free'] as const;
type Phase = (typeof PHASES)[number];

/** Main-thread on-CPU and run-queue wait (ms) and other threads' on-CPU ms so far (Linux schedstat). */
function schedMs(): { run: number; wait: number; others: number } {
  const out = { run: 0, wait: 0, others: 0 };
  for (const t of readdir('/proc/self/task')) {
    const [run, wait] = read(`/proc/self/task/${t}/schedstat`).split(' ').map(Number);
    if (t === String(process.pid)) Object.assign(out, { run: run / 1e6, wait: wait / 1e6 });
    else out.others += run / 1e6;
  }
  return out;
}
import { readdirSync as readdir, readFileSync } from 'node:fs';
const read = (p: string): string => readFileSync(p, 'utf8');

/**
 * One arm of the A/B: a model, its optimizer and a step with the given engine settings. `free`: 'held' keeps the
 * forward's intermediates to the step's end (the step before), 'early' frees them before backward as
 * backwardStep does, with the phases timed, 'loop' calls backwardStep itself.
 */
function arm(name: string, accounting: 'all' | 'unscoped', free: 'held' | 'early' | 'loop') {
  const gen = new E.Generator(0);
  const net = buildModel({ arch: ARCH } as ModelSpec, [3, 32, 32], 10, gen);
  const opt = new SGD(net.namedParameters(), { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
  const x = E.keep(E.rand([BATCH, 3, 32, 32], gen));
  const y = E.keep(E.randint(0, 10, [BATCH], gen));
  const ce = makeObjective({ name: 'ce' });
  const aug = { flip: true, crop: true, pad: 4 };
  /** One step; `lap(phase)` is called at the end of each phase. */
  const step = (lap: (p: Phase) => void = () => {}): number => {
    E.setExternalAccounting(accounting);
    const loss = E.tidy(() => {
      opt.zeroGrad();
      lap('zeroGrad');
      const xb = augmentBatch(x, aug, gen);
      lap('augment');
      let l: number;
      if (free === 'loop') l = backwardStep(net, xb, y, ce, 0).loss;
      else {
        const forward = () => {
          const out = net.forward(xb);
          lap('forward');
          const loss = ce(out, y, 0);
          lap('loss');
          return { out, loss };
        };
        const { loss } = free === 'early' ? E.tidy(forward) : forward();
        loss.backward();
        l = loss.item();
      }
      lap('backward');
      opt.step();
      lap('step');
      return l;
    });
    lap('free');
    return loss;
  };
  return { name, step, ms: [] as number[], loss0: 0 };
}

/** Prints per-phase ms and per-op ms and calls of cwrf's step. */
function profileCwrf(free: 'held' | 'early', accounting: 'all' | 'unscoped'): void {
  const a = arm('profile', accounting, free);
  const names: string[] = [];
  const call = native.call.bind(native);
  let rec: Map<string, [number, number]> | null = null;
  const byPhase = new Map<Phase, Map<string, [number, number]>>();
  const phase = new Map<Phase, number>();
  native.call = (id, args, kw) => {
    if (!rec) return call(id, args, kw);
    const t0 = performance.now();
    const r = call(id, args, kw);
    const name = (names[id] ??= native.opSchema(id).split('(')[0]);
    const e = rec.get(name) ?? [0, 0];
    e[0]++;
    e[1] += performance.now() - t0;
    rec.set(name, e);
    return r;
  };
  a.step();
  a.step();
  const recorder = (p: Phase): Map<string, [number, number]> => {
    if (!byPhase.has(p)) byPhase.set(p, new Map());
    return byPhase.get(p)!;
  };
  const s0 = schedMs();
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) {
    let t = performance.now();
    rec = recorder('zeroGrad');
    a.step((p) => {
      const now = performance.now();
      phase.set(p, (phase.get(p) ?? 0) + now - t);
      t = now;
      const next = PHASES[PHASES.indexOf(p) + 1];
      rec = next ? recorder(next) : null;
    });
    rec = null;
  }
  const total = (performance.now() - t0) / STEPS;
  const s1 = schedMs();
  native.call = call;
  console.log(`cwrf ${ARCH} (${accounting === 'all' ? 'before: V8 counts every tensor, intermediates held' : 'after'}): ${total.toFixed(1)} ms/step (${STEPS} steps, ${THREADS} thread(s)); main thread on CPU ${((s1.run - s0.run) / STEPS).toFixed(1)} ms/step, waiting for a CPU ${((s1.wait - s0.wait) / STEPS).toFixed(1)}, other threads on CPU ${((s1.others - s0.others) / STEPS).toFixed(1)}`);
  for (const p of PHASES) if (phase.has(p)) console.log(`  ${p.padEnd(9)} ${(phase.get(p)! / STEPS).toFixed(2).padStart(8)} ms`);
  for (const [p, ops] of byPhase) {
    const rows = [...ops].sort((x, y) => y[1][1] - x[1][1]).filter(([, [, ms]]) => ms / STEPS >= 0.05);
    if (rows.length) console.log(`  ${p} ops: ${rows.map(([n, [c, ms]]) => `${n.replace('aten::', '')} ${(ms / STEPS).toFixed(2)} ms (${c / STEPS})`).join(', ')}`);
  }
  console.log('  (backward is one native call; its ops are the autograd nodes of the same forward ops, as PyTorch lists below)');
}

const PY = `
import json, sys, time, os, torch, torch.nn.functional as F
sys.argv = ['torch_cifar.py', '', '{}']
src = open('bench/peers/torch_cifar.py').read().replace('\\nmain()\\n', '\\n')
exec(src)
torch.set_num_threads(${THREADS})
torch.manual_seed(0); g = torch.Generator().manual_seed(0)
import torch.nn as nn
cnn = lambda: nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
                            nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4096, 128), nn.ReLU(), nn.Linear(128, 10))
net = {'resnet20': lambda: CifarResNet(20, 10, 1), 'vit-tiny': ViT, 'smallcnn': cnn}['${ARCH}']()
opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
x = torch.rand(${BATCH}, 3, 32, 32, generator=g); y = torch.randint(0, 10, (${BATCH},), generator=g)
ph = {}
def sched():
    out = {'run': 0, 'wait': 0, 'others': 0}
    for t in os.listdir('/proc/self/task'):
        r, w, _ = map(int, open(f'/proc/self/task/{t}/schedstat').read().split())
        if int(t) == os.getpid(): out['run'], out['wait'] = r / 1e6, w / 1e6
        else: out['others'] += r / 1e6
    return out
def step(prof):
    t = [time.perf_counter()]
    def lap(k):
        n = time.perf_counter()
        if prof: ph[k] = ph.get(k, 0) + (n - t[0]) * 1000
        t[0] = n
    opt.zero_grad(); lap('zeroGrad')
    xb = augment(x, g, True, True, 4); lap('augment')
    out = net(xb); lap('forward')
    loss = F.cross_entropy(out, y); lap('loss')
    loss.backward(); lap('backward')
    opt.step(); lap('step')
    del xb, out, loss; lap('free')
step(False); step(False)
s0 = sched(); t0 = time.perf_counter()
for _ in range(${STEPS}): step(True)
total = (time.perf_counter() - t0) / ${STEPS} * 1000; s1 = sched()
print(f'PyTorch {torch.__version__} ${ARCH}: {total:.1f} ms/step (${STEPS} steps, ${THREADS} thread(s)); main thread on CPU {(s1["run"] - s0["run"]) / ${STEPS}:.1f} ms/step, waiting for a CPU {(s1["wait"] - s0["wait"]) / ${STEPS}:.1f}, other threads on CPU {(s1["others"] - s0["others"]) / ${STEPS}:.1f}')
for k, v in ph.items(): print(f'  {k:9s} {v / ${STEPS}:8.2f} ms')
with torch.autograd.profiler.profile(record_shapes=False) as p:
    for _ in range(${STEPS}): step(False)
rows = sorted(p.key_averages(), key=lambda e: -e.self_cpu_time_total)
print('  ops (self time, per step, forward and backward): ' + ', '.join(f'{e.key.replace("aten::", "")} {e.self_cpu_time_total / 1000 / ${STEPS}:.2f} ms ({e.count // ${STEPS}})' for e in rows if e.self_cpu_time_total / 1000 / ${STEPS} >= 0.3))
`;

function profileTorch(): void {
  const r = spawnSync('/usr/bin/python3', ['-c', PY], { encoding: 'utf8', env: matchedEnvironment(THREADS) });
  if (r.status !== 0) console.log(`Python PyTorch peer unavailable: ${r.stderr?.split('\n').filter(Boolean).pop() ?? r.error}`);
  else console.log(r.stdout.trimEnd());
}

/** The A/B: arms alternate round by round; median ms per step of each. */
function ab(): void {
  const arms = [
    arm('before (V8 counts every tensor; intermediates held to the step end)', 'all', 'held'),
    arm('V8 counts unscoped tensors only', 'unscoped', 'held'),
    arm("after (+ forward intermediates freed before backward: the training loop's backwardStep)", 'unscoped', 'loop'),
  ];
  for (const a of arms) a.loss0 = a.step();
  const loads: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    loads.push(loadavg()[0]);
    for (const a of arms) {
      const t0 = performance.now();
      for (let i = 0; i < STEPS; i++) a.step();
      a.ms.push((performance.now() - t0) / STEPS);
    }
  }
  const base = median(arms[0].ms);
  console.log(`\nA/B, cwrf ${ARCH}, ${ROUNDS} alternating rounds x ${STEPS} steps, ${THREADS} thread(s), load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}; first losses ${arms.map((a) => a.loss0.toFixed(6)).join(' / ')}`);
  for (const a of arms) console.log(`  ${median(a.ms).toFixed(1).padStart(7)} ms/step (${(median(a.ms) / base).toFixed(3)} of before; rounds ${a.ms.map((m) => m.toFixed(0)).join(' ')})  ${a.name}`);
}

E.setThreads(THREADS);
console.log(`${new Date().toISOString()}, load average ${loadavg()[0].toFixed(2)}, ${E.blasDescription()}`);
profileCwrf('held', 'all');
profileCwrf('early', 'unscoped');
profileTorch();
ab();
