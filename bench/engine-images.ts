// Training throughput (images/s) of the image models at batch 128 with augmentation (flip + 4-pixel reflect-pad
// crop, batched), SGD momentum 0.9 / weight decay 5e-4: cwrf against Python PyTorch on the same libtorch with
// the same thread count, the same architectures (CIFAR ResNet option A, the ViT of src/nn/models/vit.ts) and the
// same batched augmentation ops; cwrf's step is the training loop's (backwardStep). Rounds alternate the two.
// Called by bench/engine.ts; `node --import tsx bench/engine-images.ts` alone (BENCH_RUNS rounds, default 3;
// BENCH_THREADS, default one per core).
import { spawnSync } from 'node:child_process';
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

const PY = (threads: number, runs: number) => `
import json, math, time, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(${threads})
B = ${BATCH}
def augment(x, g):
    n, c, h, w = x.shape
    flip = (torch.rand(n, generator=g) < 0.5).view(n, 1, 1, 1)
    x = torch.where(flip, x.flip(3), x)
    p = F.pad(x, (4, 4, 4, 4), mode='reflect')
    oy = torch.randint(0, 9, (n,), generator=g); ox = torch.randint(0, 9, (n,), generator=g)
    rows = (oy.view(n, 1) + torch.arange(h).view(1, h)).view(n, 1, h, 1).expand(n, c, h, w + 8)
    cols = (ox.view(n, 1) + torch.arange(w).view(1, w)).view(n, 1, 1, w).expand(n, c, h, w)
    return p.gather(2, rows).gather(3, cols)
class Block(nn.Module):
    def __init__(s, i, o, st):
        super().__init__(); s.st, s.o = st, o
        s.conv1 = nn.Conv2d(i, o, 3, st, 1, bias=False); s.bn1 = nn.BatchNorm2d(o)
        s.conv2 = nn.Conv2d(o, o, 3, 1, 1, bias=False); s.bn2 = nn.BatchNorm2d(o)
    def forward(s, x):
        out = s.bn2(s.conv2(F.relu(s.bn1(s.conv1(x)))))
        sc = x
        if s.st != 1 or x.shape[1] != s.o:
            sc = x[:, :, ::s.st, ::s.st]; e = s.o - x.shape[1]
            sc = F.pad(sc, (0, 0, 0, 0, e // 2, e - e // 2))
        return F.relu(out + sc)
class ResNet20(nn.Module):
    def __init__(s):
        super().__init__()
        s.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False); s.bn1 = nn.BatchNorm2d(16)
        blocks, i = [], 16
        for st, o in enumerate([16, 32, 64]):
            for b in range(3): blocks.append(Block(i, o, 2 if st > 0 and b == 0 else 1)); i = o
        s.blocks = nn.Sequential(*blocks); s.linear = nn.Linear(64, 10)
    def forward(s, x):
        return s.linear(F.adaptive_avg_pool2d(s.blocks(F.relu(s.bn1(s.conv1(x)))), 1).flatten(1))
class Attn(nn.Module):
    def __init__(s, d, h):
        super().__init__(); s.h = h; s.qkv = nn.Linear(d, 3 * d); s.proj = nn.Linear(d, d)
    def forward(s, x):
        n, t, d = x.shape
        q, k, v = s.qkv(x).view(n, t, 3, s.h, d // s.h).permute(2, 0, 3, 1, 4)
        a = (q @ k.transpose(2, 3) * (1 / math.sqrt(d // s.h))).softmax(3)
        return s.proj((a @ v).transpose(1, 2).reshape(n, t, d))
class VBlock(nn.Module):
    def __init__(s, d, h):
        super().__init__(); s.norm1 = nn.LayerNorm(d, eps=1e-6); s.attn = Attn(d, h); s.norm2 = nn.LayerNorm(d, eps=1e-6)
        s.fc1 = nn.Linear(d, 4 * d); s.fc2 = nn.Linear(4 * d, d)
    def forward(s, x):
        x = x + s.attn(s.norm1(x)); return x + s.fc2(F.gelu(s.fc1(s.norm2(x))))
class ViT(nn.Module):
    def __init__(s, depth=6, d=192, h=3, p=4):
        super().__init__()
        s.cls_token = nn.Parameter(torch.randn(1, 1, d) * .02); s.pos_embed = nn.Parameter(torch.randn(1, 65, d) * .02)
        s.proj = nn.Conv2d(3, d, p, p); s.blocks = nn.Sequential(*[VBlock(d, h) for _ in range(depth)])
        s.norm = nn.LayerNorm(d, eps=1e-6); s.head = nn.Linear(d, 10)
    def forward(s, x):
        t = s.proj(x).flatten(2).transpose(1, 2)
        t = torch.cat([s.cls_token.expand(t.shape[0], 1, -1), t], 1) + s.pos_embed
        return s.head(s.norm(s.blocks(t))[:, 0])
L = nn.Linear
cnn = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
                    nn.MaxPool2d(2), nn.Flatten(), L(4096, 128), nn.ReLU(), L(128, 10))
def ips(net, steps):
    g = torch.Generator().manual_seed(0)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.rand(B, 3, 32, 32, generator=g); y = torch.randint(0, 10, (B,), generator=g)
    def step():
        opt.zero_grad(); F.cross_entropy(net(augment(x, g)), y).backward(); opt.step()
    step(); ts = []
    for _ in range(${runs}):
        t = time.perf_counter()
        for _ in range(steps): step()
        ts.append((time.perf_counter() - t) / steps)
    return B / sorted(ts)[len(ts) // 2]
print(json.dumps({"version": torch.__version__, ${MODELS.map((m) => `"${m.name}": ips(${m.name === 'smallcnn' ? 'cnn' : m.name === 'resnet20' ? 'ResNet20()' : 'ViT()'}, ${m.steps})`).join(', ')}}))
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
