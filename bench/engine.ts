// npm run bench:engine — one training step of the Location MLP (batch 128, Adam) and of the small CNN
// (batch 64, 3x32x32, Adam) in cwrf, in Python PyTorch on the same libtorch, and in TensorFlow.js;
// plus the machine's fp32 GEMM rate (2048^3 matmul) and the MLP step's share of it. Prints ratios.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import * as E from '../src/engine/index.ts';
import { mlp, smallCnn, type Module } from '../src/nn/index.ts';
import { Adam } from '../src/optim/index.ts';
import { imageTrainingBench } from './engine-images.ts';

const threads = cpus().length;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
E.setThreads(threads);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median seconds per call over RUNS runs of `n` calls each (after warm-up). */
function timeIt(f: () => void, n: number, warm = 5): number {
  for (let i = 0; i < warm; i++) f();
  const runs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) f();
    runs.push((performance.now() - t0) / 1000 / n);
  }
  return median(runs);
}

function cwrfStep(net: Module, xShape: number[], classes: number): () => void {
  const gen = new E.Generator(0);
  const opt = new Adam(net.namedParameters(), { lr: 1e-3 });
  const x = E.keep(E.rand(xShape, gen));
  const y = E.keep(E.randint(0, classes, [xShape[0]], gen));
  return () =>
    E.tidy(() => {
      opt.zeroGrad();
      E.crossEntropy(net.forward(x), y).backward();
      opt.step();
    });
}

const MLP_SIZES = [446, 1024, 512, 256, 128, 30];
const mlpFlops = 6 * 128 * MLP_SIZES.slice(1).reduce((s, o, i) => s + MLP_SIZES[i] * o, 0);

const gemmA = E.keep(E.rand([2048, 2048], new E.Generator(1)));
const gemmS = timeIt(() => E.tidy(() => void gemmA.matmul(gemmA)), 3, 1);
const gemmGflops = (2 * 2048 ** 3) / gemmS / 1e9;

const cw = {
  mlp: timeIt(cwrfStep(mlp(MLP_SIZES, 'tanh', new E.Generator(0)), [128, 446], 30), 50),
  cnn: timeIt(cwrfStep(smallCnn([3, 32, 32], 10, new E.Generator(0)), [64, 3, 32, 32], 10), 10),
};

// ---- Python PyTorch (Debian python3-torch, same libtorch)
const py = `
import json, time, torch
torch.set_num_threads(${threads})
def bench(net, x, y, n, runs=${RUNS}):
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    def step():
        opt.zero_grad(); torch.nn.functional.cross_entropy(net(x), y).backward(); opt.step()
    for _ in range(5): step()
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
print(json.dumps({"version": torch.__version__,
  "mlp": bench(mlp, torch.rand(128,446), torch.randint(0,30,(128,)), 50),
  "cnn": bench(cnn, torch.rand(64,3,32,32), torch.randint(0,10,(64,)), 10)}))
`;
const pr = spawnSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8', env: { ...process.env, OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY } });
const torchPy = pr.status === 0 ? (JSON.parse(pr.stdout.trim().split('\n').pop()!) as { version: string; mlp: number; cnn: number }) : null;
if (!torchPy) console.error(`Python PyTorch peer unavailable: ${pr.stderr?.split('\n').filter(Boolean).pop() ?? pr.error}`);

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
const tfjs = process.env.BENCH_SKIP_TFJS ? null : await tfjsBench();

const fmt = (s: number | undefined) => (s === undefined ? 'n/a' : `${(1 / s).toFixed(2)} steps/s (${(s * 1000).toFixed(1)} ms)`);
const ratio = (a: number, b: number | undefined) => (b === undefined ? 'n/a' : `${(b / a).toFixed(2)}x`);
console.log(`machine: ${cpus()[0]?.model ?? '?'} x${threads} threads; libtorch ${E.torchVersion}; node ${process.version}; median of ${RUNS} runs`);
console.log(`fp32 GEMM 2048^3: ${gemmGflops.toFixed(1)} GFLOP/s`);
console.log('');
console.log('| step | cwrf | PyTorch (python) | TF.js | cwrf/PyTorch | cwrf/TF.js |');
console.log('|---|---|---|---|---|---|');
console.log(`| Location MLP, batch 128, Adam | ${fmt(cw.mlp)} | ${fmt(torchPy?.mlp)} | ${fmt(tfjs?.mlp)} | ${ratio(cw.mlp, torchPy?.mlp)} | ${ratio(cw.mlp, tfjs?.mlp)} |`);
console.log(`| small CNN, batch 64, Adam | ${fmt(cw.cnn)} | ${fmt(torchPy?.cnn)} | ${fmt(tfjs?.cnn)} | ${ratio(cw.cnn, torchPy?.cnn)} | ${ratio(cw.cnn, tfjs?.cnn)} |`);
console.log('');
console.log(`MLP step: ${(mlpFlops / 1e6).toFixed(0)} MFLOP -> ${(mlpFlops / cw.mlp / 1e9).toFixed(1)} GFLOP/s = ${((100 * mlpFlops) / cw.mlp / 1e9 / gemmGflops).toFixed(0)}% of the GEMM rate`);
if (tfjs) console.log(`TF.js backends: ${tfjs.backends}`);
if (torchPy) console.log(`PyTorch ${torchPy.version} via /usr/bin/python3`);

// ---- image models: training images/s at batch 128 with augmentation (bench/engine-images.ts)
if (!process.env.BENCH_SKIP_IMAGES) imageTrainingBench(threads, Math.min(RUNS, 3));
