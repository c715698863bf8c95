// A/B of resnet20 training steps (batch 128, flip + crop, SGD momentum 0.9 / weight decay 5e-4) in the default
// contiguous (NCHW) layout against channels-last (NHWC) with parameters and input batches converted, and with
// the input batches only (parameters stay contiguous), alternating the arms' rounds inside one process, in cwrf and in Python PyTorch on the same libtorch (which reports whether
// oneDNN, MKL-DNN, is available; CPU float32 convolutions use it in both layouts). Prints median ms per step.
// Usage: node --import tsx bench/channels-last.ts [rounds=5] [steps=3] [threads=1] [batch=128]
import { spawnSync } from 'node:child_process';
import * as E from '../src/engine/index.ts';
import { augmentBatch } from '../src/data/index.ts';
import { buildModel, type Module } from '../src/nn/index.ts';
import { SGD } from '../src/optim/index.ts';
import { backwardStep, makeObjective } from '../src/train/index.ts';
import { matchedEnvironment, median } from './timing.ts';

const [ROUNDS, STEPS, THREADS, BATCH] = [5, 3, 1, 128].map((d, i) => Number(process.argv[2 + i] ?? d));
const CL = { memory_format: 'channels_last' };

/** Converts every 4-D parameter and buffer of `net` to channels-last in place. */
function toChannelsLast(net: Module): void {
  for (const [, t] of net.stateTensors()) if (t.shape.length === 4) E.call('aten::set_data', [t, E.call('aten::contiguous', [t.detach()], CL)]);
}

function cwrfSteps(): { layout: string; ms: number[]; loss0: number }[] {
  E.setThreads(THREADS);
  const arms = (['contiguous', 'channels_last', 'channels_last_input'] as const).map((layout) => {
    const cl = layout !== 'contiguous';
    const gen = new E.Generator(0);
    const net = buildModel({ arch: 'resnet20' }, [3, 32, 32], 10, gen);
    if (layout === 'channels_last') toChannelsLast(net);
    const opt = new SGD(net.namedParameters(), { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 });
    const x = E.keep(E.rand([BATCH, 3, 32, 32], gen));
    const y = E.keep(E.randint(0, 10, [BATCH], gen));
    const aug = { flip: true, crop: true, pad: 4 };
    const ce = makeObjective({ name: 'ce' });
    const step = (): number =>
      E.tidy(() => {
        opt.zeroGrad();
        let xb = augmentBatch(x, aug, gen);
        if (cl) xb = E.call('aten::contiguous', [xb], CL);
        const { loss } = backwardStep(net, xb, y, ce, 0);
        opt.step();
        return loss;
      });
    return { layout, step, ms: [] as number[], loss0: 0 };
  });
  for (const a of arms) a.loss0 = a.step(); // warm-up; same init and draws, so the first losses agree
  for (let r = 0; r < ROUNDS; r++)
    for (const a of arms) {
      const t0 = performance.now();
      for (let i = 0; i < STEPS; i++) a.step();
      a.ms.push((performance.now() - t0) / STEPS);
    }
  return arms.map(({ layout, ms, loss0 }) => ({ layout, ms, loss0 }));
}

const PY = `
import json, sys, time, torch, torch.nn.functional as F
sys.argv = ['torch_cifar.py', '', '{}']
src = open('bench/peers/torch_cifar.py').read().replace('\\nmain()\\n', '\\n')
exec(src)
torch.set_num_threads(${THREADS})
arms = []
for layout in ('contiguous', 'channels_last', 'channels_last_input'):
    cl = layout != 'contiguous'
    torch.manual_seed(0); g = torch.Generator().manual_seed(0)
    net = CifarResNet(20, 10, 1)
    if layout == 'channels_last': net = net.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.rand(${BATCH}, 3, 32, 32, generator=g); y = torch.randint(0, 10, (${BATCH},), generator=g)
    def step(net=net, opt=opt, x=x, y=y, g=g, cl=cl):
        opt.zero_grad(); xb = augment(x, g, True, True, 4)
        if cl: xb = xb.contiguous(memory_format=torch.channels_last)
        loss = F.cross_entropy(net(xb), y); loss.backward(); opt.step(); return loss.item()
    arms.append({'layout': layout, 'step': step, 'ms': []})
for a in arms: a['loss0'] = a['step']()
for r in range(${ROUNDS}):
    for a in arms:
        t = time.perf_counter()
        for _ in range(${STEPS}): a['step']()
        a['ms'].append((time.perf_counter() - t) / ${STEPS} * 1000)
print(json.dumps({'mkldnn': torch.backends.mkldnn.is_available(), 'torch': torch.__version__,
                  'arms': [{k: a[k] for k in ('layout', 'ms', 'loss0')} for a in arms]}))
`;

const load = () => (spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout ?? '').split(' ').slice(0, 3).join(' ');
const ratios = (ms: number[][]) => ms.slice(1).map((m) => (median(m) / median(ms[0])).toFixed(3)).join(' / ');
const fmt = (a: { layout: string; ms: number[]; loss0: number }) => `${a.layout} ${median(a.ms).toFixed(1)} ms/step (rounds ${a.ms.map((m) => m.toFixed(0)).join(', ')}; first loss ${a.loss0.toFixed(5)})`;
console.log(`resnet20 step, batch ${BATCH}, flip+crop, SGD; ${ROUNDS} alternating rounds x ${STEPS} steps, ${THREADS} thread(s); load ${load()}`);
const c = cwrfSteps();
console.log(`cwrf:    ${c.map(fmt).join(' | ')}; vs contiguous (all / input only) ${ratios(c.map((a) => a.ms))}`);
const r = spawnSync('/usr/bin/python3', ['-c', PY], { encoding: 'utf8', env: matchedEnvironment(THREADS) });
if (r.status !== 0) throw new Error(r.stderr);
const p = JSON.parse(r.stdout.trim().split('\n').pop()!) as { mkldnn: boolean; torch: string; arms: { layout: string; ms: number[]; loss0: number }[] };
console.log(`PyTorch ${p.torch} (mkldnn available: ${p.mkldnn}): ${p.arms.map(fmt).join(' | ')}; vs contiguous (all / input only) ${ratios(p.arms.map((a) => a.ms))}`);
console.log(`load after: ${load()}`);
