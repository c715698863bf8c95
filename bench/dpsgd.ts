// npm run bench:dpsgd — DP-SGD epoch time over non-private epoch time, side by side, for the Location MLP
// (446-1024-512-256-128-30 tanh, batch 128) and the small CNN (3x32x32, batch 64), both with Adam through
// the ordinary training loop (`fit`). DP-SGD: per-sample gradients (ghost norms for Linear, one grouped
// convolution per Conv2d), flat clipping, Gaussian noise and Poisson-sampled batches of the same expected size.
// Synthetic data of the right shapes (random features and labels): timing only, no accuracy.
// Env: BENCH_ROWS (default 2560), BENCH_EPOCHS (timed epochs per setting, default 3), BENCH_THREADS,
// BENCH_GROUPNORM=1 (adds the small CNN with GroupNorm, the variant DP-SGD can train when norm layers are wanted).
import { cpus } from 'node:os';
import * as E from '../src/engine/index.ts';
import { dpGradientStep, poissonBatches } from '../src/defenses/dpsgd/dpsgd.ts';
import { mlp, smallCnn, type Module } from '../src/nn/index.ts';
import { Adam } from '../src/optim/index.ts';
import { fit, makeObjective } from '../src/train/index.ts';
import { Rng } from '../src/util/rng.ts';
import { median } from './timing.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 2560);
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 3);
const threads = Number(process.env.BENCH_THREADS ?? cpus().length);
E.setThreads(threads);
// Allocator warm-up: freeing one large (30 MB) block raises glibc's dynamic mmap threshold, so later tensors
// reuse heap memory instead of being mmapped and page-faulted afresh on every step (on some VMs each fault
// costs ~10 us, which otherwise dominates and makes either side's timings erratic). Applies to both sides.
E.zeros([7_500_000]).dispose();

interface Setting {
  name: string;
  build: () => Module;
  shape: number[];
  classes: number;
  batch: number;
}

/** One trainer: a model, its optimizer and the data, running one `fit` epoch per call. */
function trainer(s: Setting, dp: boolean): { epoch: () => number; steps: () => number; dispose: () => void } {
  const gen = new E.Generator(0);
  const model = s.build();
  const x = E.keep(E.randn([ROWS, ...s.shape], gen));
  const y = E.keep(E.randint(0, s.classes, [ROWS], gen));
  const rows = E.keep(E.arange(ROWS));
  const opt = new Adam(model.namedParameters(), { lr: 1e-3 });
  let steps = Math.ceil(ROWS / s.batch);
  const batchesOf = poissonBatches(s.batch, new Rng(1));
  const hooks = dp
    ? {
        gradientStep: dpGradientStep({ maxGradNorm: 1, noiseMultiplier: 1, expectedBatchSize: s.batch, gen: new E.Generator(2) }),
        batches: (n: number, epoch: number) => {
          const b = batchesOf(n, epoch);
          steps = b.filter((r) => r.length > 0).length;
          return b;
        },
      }
    : {};
  const epoch = () =>
    fit(model, x, y, rows, {
      optimizer: opt,
      schedule: { name: 'constant' },
      baseLr: 1e-3,
      epochs: 1,
      batchSize: s.batch,
      objective: makeObjective({ name: 'ce' }),
      gen,
      ...hooks,
    })[0].seconds;
  return {
    epoch,
    steps: () => steps,
    dispose: () => {
      opt.dispose();
      model.dispose();
      E.dispose([x, y, rows]);
    },
  };
}

/** Non-private and DP-SGD epochs alternated (so load on a shared machine hits both alike): median s/epoch. */
function timeSetting(s: Setting): { base: number; dp: number; baseSteps: number; dpSteps: number } {
  const base = trainer(s, false);
  const dp = trainer(s, true);
  base.epoch(); // warm-up
  dp.epoch();
  const tb: number[] = [];
  const td: number[] = [];
  let dpSteps = 0;
  for (let e = 0; e < EPOCHS; e++) {
    tb.push(base.epoch());
    td.push(dp.epoch());
    dpSteps += dp.steps();
  }
  const r = { base: median(tb), dp: median(td), baseSteps: base.steps(), dpSteps: dpSteps / EPOCHS };
  base.dispose();
  dp.dispose();
  return r;
}

const settings: Setting[] = [
  {
    name: 'Location MLP 446-1024-512-256-128-30 tanh',
    build: () => mlp([446, 1024, 512, 256, 128, 30], 'tanh', new E.Generator(0)),
    shape: [446],
    classes: 30,
    batch: 128,
  },
  {
    name: 'small CNN 3x32x32 (norm none)',
    build: () => smallCnn([3, 32, 32], 10, new E.Generator(0)),
    shape: [3, 32, 32],
    classes: 10,
    batch: 64,
  },
  ...(process.env.BENCH_GROUPNORM
    ? [
        {
          name: 'small CNN 3x32x32 (norm group)',
          build: () => smallCnn([3, 32, 32], 10, new E.Generator(0), 'group'),
          shape: [3, 32, 32],
          classes: 10,
          batch: 64,
        },
      ]
    : []),
];

console.log(`DP-SGD vs non-private training, one epoch = ${ROWS} rows of SYNTHETIC data (random inputs and labels of the`);
console.log(
  `real shapes), Adam, ${threads} threads, libtorch ${E.torchVersion}; median of ${EPOCHS} epochs each (alternated) after 1 warm-up.`,
);
console.log('DP-SGD: C = 1, sigma = 1, Poisson batches of the same expected size; times include the loop (fit).');
console.log('Allocator warmed up once (one 30 MB block freed) so neither side pays fresh page faults every step.\n');
const rowsOut: string[][] = [
  [
    'model',
    'batch',
    'steps/epoch (np)',
    'non-private steps/s',
    'DP-SGD steps/s',
    'non-private s/epoch',
    'DP-SGD s/epoch',
    'DP / non-private',
  ],
];
for (const s of settings) {
  const t = timeSetting(s);
  rowsOut.push([
    s.name,
    String(s.batch),
    String(t.baseSteps),
    (t.baseSteps / t.base).toFixed(1),
    (t.dpSteps / t.dp).toFixed(1),
    t.base.toFixed(3),
    t.dp.toFixed(3),
    `${(t.dp / t.base).toFixed(2)}x`,
  ]);
}
const widths = rowsOut[0].map((_, j) => Math.max(...rowsOut.map((r) => r[j].length)));
for (const [i, r] of rowsOut.entries()) {
  console.log(r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
console.log('\nTarget: DP / non-private <= 2x for the MLP (ghost clipping; no per-example loop).');
