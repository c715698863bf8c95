// npm run bench:onnx — one training step (batch 128, Adam) of the Location MLP (446-1024-512-256-128-30, tanh)
// and of a residual CNN (batch 64, 3x32x32), as cwrf's built-in modules and as the same architectures exported
// from PyTorch to ONNX and run by OnnxModule (the graph interpreter's overhead). Median of BENCH_RUNS runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from '../src/engine/index.ts';
import { mlp, smallCnn, type Module } from '../src/nn/index.ts';
import { OnnxModule } from '../src/nn/onnx/module.ts';
import { readOnnx } from '../src/nn/onnx/parse.ts';
import { Adam } from '../src/optim/index.ts';

const threads = cpus().length;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
E.setThreads(threads);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
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
function step(net: Module, xShape: number[], classes: number): () => void {
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

const dir = mkdtempSync(join(tmpdir(), 'cwrf-bench-onnx-'));
const py = `
import torch, torch.nn as nn, warnings
warnings.filterwarnings("ignore")
s = [446, 1024, 512, 256, 128, 30]
layers = []
for i in range(len(s) - 1):
    layers.append(nn.Linear(s[i], s[i + 1]))
    if i + 2 < len(s): layers.append(nn.Tanh())
torch.onnx.export(nn.Sequential(*layers), torch.randn(2, 446), "${dir}/mlp.onnx", input_names=["x"], dynamic_axes={"x": {0: "n"}})
cnn = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
                    nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 8 * 8, 128), nn.ReLU(), nn.Linear(128, 10))
torch.onnx.export(cnn, torch.randn(2, 3, 32, 32), "${dir}/cnn.onnx", input_names=["x"], dynamic_axes={"x": {0: "n"}})
`;
const r = spawnSync(process.env.CWRF_PYTHON ?? '/usr/bin/python3', ['-c', py], { encoding: 'utf8' });
if (r.status !== 0) {
  console.error(`bench:onnx needs /usr/bin/python3 with torch (scripts/ensure.sh --bench): ${r.stderr.slice(-500)}`);
  process.exit(1);
}
const onnx = (f: string) => new OnnxModule(readOnnx(join(dir, f)), new E.Generator(0));
const rows = [
  ['Location MLP, batch 128', timeIt(step(mlp([446, 1024, 512, 256, 128, 30], 'tanh', new E.Generator(0)), [128, 446], 30), 50), timeIt(step(onnx('mlp.onnx'), [128, 446], 30), 50)],
  ['small CNN, batch 64', timeIt(step(smallCnn([3, 32, 32], 10, new E.Generator(0)), [64, 3, 32, 32], 10), 10), timeIt(step(onnx('cnn.onnx'), [64, 3, 32, 32], 10), 10)],
] as const;
rmSync(dir, { recursive: true, force: true });
console.log(`training step (Adam), median of ${RUNS} runs, ${threads} threads, ${cpus()[0]?.model ?? 'cpu'}`);
for (const [what, builtIn, graph] of rows)
  console.log(`${what.padEnd(24)} built-in ${(builtIn * 1e3).toFixed(2)} ms   ONNX graph ${(graph * 1e3).toFixed(2)} ms   (${(graph / builtIn).toFixed(2)}x)`);
