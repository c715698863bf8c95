// Training throughput (images/s) of the image models at batch 128 with augmentation (flip + 4-pixel reflect-pad
// crop, batched), SGD momentum 0.9 / weight decay 5e-4: cwrf against Python PyTorch on the same libtorch with
// the same thread count, the same architectures (CIFAR ResNet option A, the ViT of src/nn/models/vit.ts) and the
// same batched augmentation ops; cwrf's step is the training loop's (backwardStep). Rounds alternate the two.
// Called by bench/engine.ts; `node --import tsx bench/engine-images.ts` alone (BENCH_RUNS rounds, default 3;
// BENCH_THREADS, default one per core).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import * as E from '../src/engine/index.ts';
import { augmentBatch } from '../src/data/index.ts';
import { buildModel, type ModelSpec } from '../src/nn/index.ts';
import { SGD } from '../src/optim/index.ts';
import { backwardStep, makeObjective } from '../src/train/index.ts';
import { matchedEnvironment, median } from './timing.ts';

const BATCH = 128;
const MODELS: { name: string; spec: ModelSpec; steps: number }[] = [
  { name: 'smallcnn', spec: { arch: 'smallcnn' }, steps: 4 },
  { name: 'resnet20', spec: { arch: 'resnet20' }, steps: 3 },
  { name: 'vit-tiny', spec: { arch: 'vit-tiny' }, steps: 1 },
];

/** A cwrf training step of `spec` as the training loop runs it (backwardStep: forward, loss, backward; then SGD). */
function cwrfStepper(spec: ModelSpec): { step: () => void; dispose: () => void } {
  const gen = new E.Generator(0);
  const net = buildModel(spec, [3, 32, 32], 10, gen);
  const opt = new SGD(net.namedParameters(), { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
  const x = E.keep(E.rand([BATCH, 3, 32, 32], gen));
  const y = E.keep(E.randint(0, 10, [BATCH], gen));
  const ce = makeObjective({ name: 'ce' });
  const aug = { flip: true, crop: true, pad: 4 };
  const step = (): void =>
    E.tidy(() => {
      opt.zeroGrad();
      backwardStep(net, augmentBatch(x, aug, gen), y, ce, 0);
      opt.step();
    });
  return { step, dispose: () => [x, y, opt, net].forEach((o) => o.dispose()) };
}

// The peer's models and augmentation are bench/peers/torch_cifar.py's (one copy of the PyTorch models).
const PEERS = fileURLToPath(new URL('./peers', import.meta.url));

const PY = (threads: number, runs: number) => `
import json, sys, time, torch, torch.nn.functional as F
sys.path.insert(0, ${JSON.stringify(PEERS)})
from torch_cifar import augment, CifarResNet, SmallCnn, ViT
torch.set_num_threads(${threads})
B = ${BATCH}
def ips(net, steps):
    g = torch.Generator().manual_seed(0)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.rand(B, 3, 32, 32, generator=g); y = torch.randint(0, 10, (B,), generator=g)
    def step():
        opt.zero_grad(); F.cross_entropy(net(augment(x, g, True, True, 4)), y).backward(); opt.step()
    step(); ts = []
    for _ in range(${runs}):
        t = time.perf_counter()
        for _ in range(steps): step()
        ts.append((time.perf_counter() - t) / steps)
    return B / sorted(ts)[len(ts) // 2]
print(json.dumps({"version": torch.__version__, ${MODELS.map((m) => `"${m.name}": ips(${m.name === 'smallcnn' ? 'SmallCnn(3, 32, 32, 10)' : m.name === 'resnet20' ? 'CifarResNet(20)' : 'ViT()'}, ${m.steps})`).join(', ')}}))
`;

/** Prints the images/s table (median of `rounds` rounds that alternate cwrf and PyTorch) and returns the numbers. */
export function imageTrainingBench(threads = cpus().length, rounds = 3): Record<string, { cwrf: number; torch: number | null }> {
  E.setThreads(threads);
  const steppers = MODELS.map((m) => cwrfStepper(m.spec));
  for (const s of steppers) s.step(); // warm-up, as the peer's
  const times: Record<string, { cwrf: number[]; torch: number[] }> = Object.fromEntries(MODELS.map((m) => [m.name, { cwrf: [], torch: [] }]));
  const loads: number[] = [];
  let version: string | null = null;
  for (let r = 0; r < rounds; r++) {
    loads.push(loadavg()[0]);
    MODELS.forEach((m, i) => {
      const t0 = performance.now();
      for (let k = 0; k < m.steps; k++) steppers[i].step();
      times[m.name].cwrf.push(BATCH / ((performance.now() - t0) / 1000 / m.steps));
    });
    const pr = spawnSync('/usr/bin/python3', ['-c', PY(threads, 1)], { encoding: 'utf8', env: matchedEnvironment(threads) });
    const py = pr.status === 0 ? (JSON.parse(pr.stdout.trim().split('\n').pop()!) as Record<string, number | string>) : null;
    if (!py) console.error(`Python PyTorch peer unavailable: ${pr.stderr?.split('\n').filter(Boolean).pop() ?? pr.error}`);
    else {
      version = String(py.version);
      for (const m of MODELS) times[m.name].torch.push(Number(py[m.name]));
    }
  }
  for (const s of steppers) s.dispose();
  const out: Record<string, { cwrf: number; torch: number | null }> = {};
  for (const m of MODELS) out[m.name] = { cwrf: median(times[m.name].cwrf), torch: times[m.name].torch.length ? median(times[m.name].torch) : null };
  console.log('');
  console.log(
    `training images/s, batch ${BATCH}, flip + crop augmentation, SGD; ${threads} threads each; median of ${rounds} rounds alternating cwrf and PyTorch` +
      ` (steps per round: ${MODELS.map((m) => `${m.name} ${m.steps}`).join(', ')}); load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}${version ? `; PyTorch ${version}` : ''}`,
  );
  console.log('| model | cwrf img/s | PyTorch img/s | cwrf/PyTorch |');
  console.log('|---|---|---|---|');
  for (const m of MODELS) {
    const r = out[m.name];
    console.log(`| ${m.name} | ${r.cwrf.toFixed(1)} | ${r.torch?.toFixed(1) ?? 'n/a'} | ${r.torch ? `${(r.cwrf / r.torch).toFixed(2)}x` : 'n/a'} |`);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) imageTrainingBench(Number(process.env.BENCH_THREADS ?? cpus().length), Number(process.env.BENCH_RUNS ?? 3));
