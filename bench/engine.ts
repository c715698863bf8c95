// npm run bench:engine — one training step of the Location MLP (batch 128, Adam) and of the small CNN
// (batch 64, 3x32x32, Adam) in cwrf and in Python PyTorch on the same libtorch, at 1 thread and at one per
// core; PyTorch twice: as a user runs it (defaults: no set_num_threads, the environment as it is) and
// matched (torch.set_num_threads, OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and OMP_WAIT_POLICY=PASSIVE as cwrf).
// Rounds interleave the sides so both see the same machine load; the figure is the median over rounds.
// TensorFlow.js (BENCH_TFJS=1; its CNN step takes over a minute) and the machine's fp32 GEMM rate too.
// Env: BENCH_ROUNDS (default 3), BENCH_RUNS (timed runs per round, median; default 3), BENCH_SKIP_PY=1.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import * as E from '../src/engine/index.ts';
import { mlp, smallCnn } from '../src/nn/index.ts';
import { adamStep, matchedEnvironment, median, timeIt, userEnvironment } from './timing.ts';
import { imageTrainingBench } from './engine-images.ts';

const cores = cpus().length;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const STEPS = { mlp: 10, cnn: 5 };
const THREADS = [...new Set([1, cores])];


const MLP_SIZES = [446, 1024, 512, 256, 128, 30];
const mlpFlops = 6 * 128 * MLP_SIZES.slice(1).reduce((s, o, i) => s + MLP_SIZES[i] * o, 0);
const steps = {
  mlp: adamStep(mlp(MLP_SIZES, 'tanh', new E.Generator(0)), [128, 446], 30),
  cnn: adamStep(smallCnn([3, 32, 32], 10, new E.Generator(0)), [64, 3, 32, 32], 10),
};

E.setThreads(1);
const gemmA = E.keep(E.rand([2048, 2048], new E.Generator(1)));
const gemmS = timeIt(() => E.tidy(() => void gemmA.matmul(gemmA)), 2, RUNS, 1);
const gemmGflops = (2 * 2048 ** 3) / gemmS / 1e9;

interface Times {
  mlp: number;
  cnn: number;
}
function cwrfAt(threads: number): Times {
  E.setThreads(threads);
  return { mlp: timeIt(steps.mlp, STEPS.mlp, RUNS), cnn: timeIt(steps.cnn, STEPS.cnn, RUNS) };
}

// ---- Python PyTorch (Debian python3-torch, same libtorch)
const py = (threads: number | null) => `
import json, time, torch
${threads === null ? '' : `torch.set_num_threads(${threads})`}
def bench(net, x, y, n, runs=${RUNS}):
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    def step():
        opt.zero_grad(); torch.nn.functional.cross_entropy(net(x), y).backward(); opt.step()
    for _ in range(3): step()
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        for _ in range(n): step()
        ts.append((time.perf_counter() - t) / n)
    return sorted(ts)[len(ts)//2]
L = torch.nn.Linear; T = torch.nn.Tanh
mlp = torch.nn.Sequential(L(446,1024),T(),L(1024,512),T(),L(512,256),T(),L(256,128),T(),L(128,30))
cnn = torch.nn.Sequential(torch.nn.Conv2d(3,32,3,padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(32,64,3,padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
    L(4096,128), torch.nn.ReLU(), L(128,10))
print(json.dumps({"version": torch.__version__, "threads": torch.get_num_threads(),
  "mlp": bench(mlp, torch.rand(128,446), torch.randint(0,30,(128,)), ${STEPS.mlp}),
  "cnn": bench(cnn, torch.rand(64,3,32,32), torch.randint(0,10,(64,)), ${STEPS.cnn})}))
`;
type PyTimes = Times & { version: string; threads: number };
const userEnv = userEnvironment();
let pyError = '';
function torchPy(threads: number | null): PyTimes | null {
  if (process.env.BENCH_SKIP_PY) return null;
  const env =
    threads === null
      ? userEnv
      : matchedEnvironment(threads);
  const pr = spawnSync('/usr/bin/python3', ['-c', py(threads)], { encoding: 'utf8', env });
  if (pr.status === 0) return JSON.parse(pr.stdout.trim().split('\n').pop()!) as PyTimes;
  pyError = pr.stderr?.split('\n').filter(Boolean).pop() ?? String(pr.error);
  return null;
}

interface Round {
  load: number;
  cwrf: Record<number, Times>;
  matched: Record<number, PyTimes | null>;
  user: PyTimes | null;
}
const rounds: Round[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const round: Round = { load: loadavg()[0], cwrf: {}, matched: {}, user: torchPy(null) };
  for (const t of THREADS) {
    round.cwrf[t] = cwrfAt(t);
    round.matched[t] = torchPy(t);
  }
  rounds.push(round);
  console.error(`round ${r + 1}/${ROUNDS} done (load average ${round.load.toFixed(2)})`);
}
if (rounds.some((r) => !r.user)) console.error(`Python PyTorch peer unavailable: ${pyError}`);
const med = (pick: (r: Round) => number | undefined): number | undefined => {
  const xs = rounds.map(pick).filter((x): x is number => x !== undefined);
  return xs.length ? median(xs) : undefined;
};

// ---- TensorFlow.js (wasm backend for the MLP; cpu for the CNN, whose conv gradients wasm lacks)
async function tfjsBench(): Promise<{ mlp: number; cnn: number; backends: string } | null> {
  try {
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-wasm');
    const step = (model: import('@tensorflow/tfjs').Sequential, x: import('@tensorflow/tfjs').Tensor, y: import('@tensorflow/tfjs').Tensor, n: number) => {
      const opt = tf.train.adam(1e-3);
      const f = () =>
        tf.tidy(() => {
          opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as import('@tensorflow/tfjs').Tensor) as import('@tensorflow/tfjs').Scalar);
        });
      f();
      const runs: number[] = [];
      for (let r = 0; r < Math.min(RUNS, 3); r++) {
        const t0 = performance.now();
        for (let i = 0; i < n; i++) f();
        runs.push((performance.now() - t0) / 1000 / n);
      }
      return median(runs);
    };
    await tf.setBackend('wasm');
    await tf.ready();
    const m = tf.sequential();
    [1024, 512, 256, 128].forEach((u, i) => m.add(tf.layers.dense({ units: u, activation: 'tanh', ...(i === 0 ? { inputShape: [446] } : {}) })));
    m.add(tf.layers.dense({ units: 30 }));
    const mlpT = step(m, tf.randomUniform([128, 446]), tf.oneHot(tf.randomUniform([128], 0, 30, 'int32'), 30), 3);
    await tf.setBackend('cpu');
    await tf.ready();
    const c = tf.sequential();
    c.add(tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }));
    c.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    c.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }));
    c.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    c.add(tf.layers.flatten());
    c.add(tf.layers.dense({ units: 128, activation: 'relu' }));
    c.add(tf.layers.dense({ units: 10 }));
    const cnnT = step(c, tf.randomUniform([64, 32, 32, 3]), tf.oneHot(tf.randomUniform([64], 0, 10, 'int32'), 10), 1);
    return { mlp: mlpT, cnn: cnnT, backends: 'MLP: wasm, CNN: cpu' };
  } catch (e) {
    console.error(`TensorFlow.js peer unavailable: ${(e as Error).message}`);
    return null;
  }
}
const tfjs = process.env.BENCH_TFJS ? await tfjsBench() : null;

const fmt = (s: number | undefined) => (s === undefined ? 'n/a' : `${(s * 1000).toFixed(1)} ms`);
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? 'n/a' : `${(b / a).toFixed(2)}x`);
const userThreads = rounds.find((r) => r.user)?.user?.threads;
console.log(`machine: ${cpus()[0]?.model ?? '?'} x${cores}; libtorch ${E.torchVersion}; node ${process.version}`);
console.log(`${ROUNDS} interleaved rounds (median), each the median of ${RUNS} runs of ${STEPS.mlp} (MLP) / ${STEPS.cnn} (CNN) steps; load average (1 min) per round: ${rounds.map((r) => r.load.toFixed(2)).join(', ')}`);
console.log(`fp32 GEMM 2048^3 at 1 thread: ${gemmGflops.toFixed(1)} GFLOP/s`);
console.log('');
console.log(`| step | threads | cwrf | PyTorch matched | cwrf vs matched | PyTorch as users run it (${userThreads ?? '?'} threads, defaults) | cwrf vs as-run |`);
console.log('|---|---|---|---|---|---|---|');
for (const k of ['mlp', 'cnn'] as const) {
  const name = k === 'mlp' ? 'Location MLP, batch 128, Adam' : 'small CNN, batch 64, Adam';
  const user = med((r) => r.user?.[k]);
  for (const t of THREADS) {
    const c = med((r) => r.cwrf[t][k]);
    const m = med((r) => r.matched[t]?.[k]);
    console.log(`| ${name} | ${t} | ${fmt(c)} | ${fmt(m)} | ${ratio(c, m)} | ${fmt(user)} | ${ratio(c, user)} |`);
  }
}
console.log('');
const c1 = med((r) => r.cwrf[1].mlp)!;
console.log(`MLP step: ${(mlpFlops / 1e6).toFixed(0)} MFLOP -> ${(mlpFlops / c1 / 1e9).toFixed(1)} GFLOP/s at 1 thread = ${((100 * mlpFlops) / c1 / 1e9 / gemmGflops).toFixed(0)}% of the GEMM rate`);
if (tfjs) console.log(`TF.js (${tfjs.backends}): MLP ${fmt(tfjs.mlp)} (${ratio(c1, tfjs.mlp)} cwrf's 1-thread step), CNN ${fmt(tfjs.cnn)}`);
const pv = rounds.find((r) => r.user)?.user?.version;
if (pv) console.log(`PyTorch ${pv} via /usr/bin/python3; matched = torch.set_num_threads(T), OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=T, OMP_WAIT_POLICY=PASSIVE`);

// ---- image models: training images/s at batch 128 with augmentation (bench/engine-images.ts), all cores
if (!process.env.BENCH_SKIP_IMAGES) imageTrainingBench(cores, Math.min(RUNS, 3));
