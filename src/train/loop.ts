// The ordinary training loop. Defenses wrap it (a different objective, gradient masks, or a custom
// gradient step such as DP-SGD) instead of forking it.
import { randperm, tidy, noGrad, cat, tensor, type Generator, type Tensor } from '../engine/index.ts';
import type { Module } from '../nn/index.ts';
import { lrAt, type Optimizer, type ScheduleSpec } from '../optim/index.ts';
import type { Objective } from './objectives/index.ts';

/** Per-epoch training statistics (loss and accuracy measured on the batches as they were trained). */
export interface EpochStats {
  epoch: number;
  lr: number;
  loss: number;
  accuracy: number;
  seconds: number;
  [extra: string]: number;
}

/**
 * Computes gradients for one batch into the parameters' .grad and returns the batch loss;
 * the default is loss.backward(). DP-SGD supplies per-example clipping and noise here.
 */
export type GradientStep = (model: Module, x: Tensor, y: Tensor, objective: Objective, epoch: number) => { loss: number; logits: Tensor };

/**
 * The plain gradient step: objective(model(x), y).backward(). The forward's intermediates are freed before the
 * backward pass (autograd holds what it saved and frees that as it goes), as PyTorch frees them.
 */
export const backwardStep: GradientStep = (model, x, y, objective, epoch) => {
  const { logits, loss } = tidy(() => {
    const logits = model.forward(x);
    return { logits, loss: objective(logits, y, epoch) };
  });
  loss.backward();
  return { loss: loss.item(), logits };
};

export interface FitOptions {
  optimizer: Optimizer;
  schedule: ScheduleSpec;
  baseLr: number;
  epochs: number;
  batchSize: number;
  objective: Objective;
  gen: Generator;
  gradientStep?: GradientStep;
  /** Transforms each training batch's inputs before the step (augmentation); called inside the batch's tidy scope. */
  transform?: (x: Tensor) => Tensor;
  /** Replaces the shuffled fixed-size batches (DP-SGD's Poisson sampling). */
  batches?: (n: number, epoch: number) => Int32Array[] | Tensor[];
  onEpoch?: (s: EpochStats) => void;
  /** Called after each epoch with extra statistics to record (e.g. DP epsilon). */
  epochExtras?: (epoch: number) => Record<string, number>;
  /** Resume after these epochs (their history; the caller restored the state they left). */
  done?: EpochStats[];
  /** Called after each epoch's onEpoch with the history so far (checkpointing). */
  afterEpoch?: (history: EpochStats[]) => void;
}

/** Trains `model` on rows `index` of (x, y) and returns per-epoch statistics. */
export function fit(model: Module, x: Tensor, y: Tensor, index: Tensor, o: FitOptions): EpochStats[] {
  const history: EpochStats[] = [...(o.done ?? [])];
  const n = index.shape[0];
  const step = o.gradientStep ?? backwardStep;
  model.train();
  for (let epoch = history.length; epoch < o.epochs; epoch++) {
    const t0 = performance.now();
    o.optimizer.lr = lrAt(o.schedule, o.baseLr, epoch, o.epochs);
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    const batchIdx: Tensor[] = tidy(() => {
      if (o.batches) return o.batches(n, epoch).map((b) => (b instanceof Int32Array ? toIndex(b) : b));
      const perm = randperm(n, o.gen);
      const out: Tensor[] = [];
      for (let s = 0; s < n; s += o.batchSize) out.push(perm.narrow(0, s, Math.min(o.batchSize, n - s)));
      return out;
    });
    for (const b of batchIdx) {
      if (b.shape[0] === 0) continue;
      tidy(() => {
        const rows = index.indexSelect(0, b);
        const xs = x.indexSelect(0, rows);
        const xb = o.transform ? o.transform(xs) : xs;
        const yb = y.indexSelect(0, rows);
        o.optimizer.zeroGrad();
        const r = step(model, xb, yb, o.objective, epoch);
        o.optimizer.step();
        const m = b.shape[0];
        lossSum += r.loss * m;
        correct += noGrad(() => r.logits.argmax(1).eq(yb).sum().item());
        seen += m;
      });
      b.dispose();
    }
    const stats: EpochStats = {
      epoch,
      lr: o.optimizer.lr,
      loss: lossSum / Math.max(1, seen),
      accuracy: correct / Math.max(1, seen),
      seconds: (performance.now() - t0) / 1000,
      ...(o.epochExtras?.(epoch) ?? {}),
    };
    history.push(stats);
    o.onEpoch?.(stats);
    o.afterEpoch?.(history);
  }
  o.optimizer.zeroGrad();
  return history;
}

function toIndex(a: Int32Array): Tensor {
  return tensor(a, [a.length], 'int64');
}

/** Logits of `model` (eval mode, no grad) on rows `index` of x, as a [n, classes] Float32Array. */
export function predictLogits(model: Module, x: Tensor, index: Tensor | null, batch = 1024): { logits: Float32Array; classes: number } {
  return logitsInBatches(model, x, index, batch);
}

/**
 * The one way cwrf reads a model's outputs in batches: `forward` (default: the model's own) on rows `index` of x
 * (every row when null), `batch` rows at a time, in eval mode without gradients (the mode restored after), as one
 * float32 array whose last dimension is the classes (LiRA's queries map a batch to [b, queries, classes]).
 */
export function logitsInBatches(
  model: Module,
  x: Tensor,
  index: Tensor | null,
  batch: number,
  forward: (xb: Tensor) => Tensor = (xb) => model.forward(xb),
): { logits: Float32Array; classes: number } {
  const wasTraining = model.training;
  model.eval();
  const n = index ? index.shape[0] : x.shape[0];
  const out = noGrad(() =>
    tidy(() => {
      const parts: Tensor[] = [];
      for (let s = 0; s < n; s += batch) {
        const m = Math.min(batch, n - s);
        // one scope per batch: a model's intermediates are freed before the next batch
        parts.push(tidy(() => forward(index ? x.indexSelect(0, index.narrow(0, s, m)) : x.narrow(0, s, m))));
      }
      return parts.length ? cat(parts, 0) : null;
    }),
  );
  model.train(wasTraining);
  if (!out) return { logits: new Float32Array(0), classes: 0 };
  const classes = out.shape[out.shape.length - 1];
  const logits = out.toFloat32();
  out.dispose();
  return { logits, classes };
}

/** Fraction of rows whose argmax logit equals the label. */
export function accuracy(logits: Float32Array, classes: number, labels: ArrayLike<number>): number {
  const n = labels.length;
  if (n === 0) return NaN;
  let ok = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    if (best === labels[i]) ok++;
  }
  return ok / n;
}
