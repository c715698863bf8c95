// Per-weight scores: PVE (privacy-vulnerability estimation), TFO (learnability), SalUn saliency,
// magnitude and random. Each returns one non-negative float32 tensor per parameter, shaped like it.
import { Generator, crossEntropy, keep, klDiv, noGrad, rand, randperm, tidy, zerosLike, type Tensor } from '../engine/index.ts';
import type { Module, StateEntry } from '../nn/index.ts';
import { makeOptimizer, type OptimizerSpec } from '../optim/index.ts';
import { InputError } from '../util/errors.ts';

export type ScoreName = 'pve' | 'tfo' | 'salun' | 'magnitude' | 'random';
export type Scores = Map<string, Tensor>;

export interface PveOptions {
  /** Where the updated copy starts: the trained target, or its initial weights. */
  start: 'target' | 'scratch';
  /** The model whose reference-set outputs the KL term anchors to. */
  anchor: 'target' | 'init';
  lambda: number;
  iters: number;
}

/** What scoring needs: the model, its initial weights, member rows, defender's reference rows. */
export interface ScoreInput {
  model: Module;
  init: Record<string, StateEntry>;
  x: Tensor;
  y: Tensor;
  members: Tensor;
  reference: Tensor;
  batchSize: number;
  optimizer: OptimizerSpec;
  seed: number;
  /** Builds a fresh model of the same architecture (for PVE's updated copy and anchors). */
  rebuild: () => Module;
}

function zeroScores(model: Module): Scores {
  return new Map(model.namedParameters().map(([n, p]) => [n, keep(zerosLike(p).detach())]));
}

/** Adds |g * w| of every parameter to its score. */
function accumulateTaylor(model: Module, scores: Scores): void {
  noGrad(() =>
    tidy(() => {
      for (const [n, p] of model.namedParameters()) {
        const g = p.grad;
        if (g) scores.get(n)!.add_(g.mul(p).abs());
      }
    }),
  );
}

/** Batches of member rows for `iters` steps (cycling through seeded permutations). */
function* batches(rows: Tensor, batchSize: number, iters: number, gen: Generator): IterableIterator<Tensor> {
  const n = rows.shape[0];
  let perm: Tensor | null = null;
  let pos = n;
  for (let i = 0; i < iters; i++) {
    if (pos >= n) {
      perm?.dispose();
      perm = keep(randperm(n, gen));
      pos = 0;
    }
    const m = Math.min(batchSize, n - pos);
    yield tidy(() => rows.indexSelect(0, perm!.narrow(0, pos, m)));
    pos += m;
  }
  perm?.dispose();
}

/** For `iters` member batches (seeded order): CE backward, then `visit` every parameter with its gradient. */
function memberGradients(s: ScoreInput, iters: number, visit: (name: string, p: Tensor, g: Tensor) => void): void {
  const wasTraining = s.model.training;
  s.model.eval();
  for (const rows of batches(s.members, s.batchSize, iters, new Generator(s.seed))) {
    tidy(() => {
      for (const p of s.model.parameters()) p.grad = null;
      crossEntropy(s.model.forward(s.x.indexSelect(0, rows)), s.y.indexSelect(0, rows)).backward();
      noGrad(() => {
        for (const [name, p] of s.model.namedParameters()) {
          const g = p.grad;
          if (g) visit(name, p, g);
        }
      });
    });
    rows.dispose();
  }
  for (const p of s.model.parameters()) p.grad = null;
  s.model.train(wasTraining);
}

const epochBatches = (s: ScoreInput) => Math.ceil(s.members.shape[0] / s.batchSize);

/** TFO (Molchanov et al. 2019): |w * dL/dw| of the training loss, accumulated over `iters` member batches (default one epoch). */
export function tfoScores(s: ScoreInput, iters?: number): Scores {
  const scores = zeroScores(s.model);
  memberGradients(s, iters ?? epochBatches(s), (name, p, g) => scores.get(name)!.add_(g.mul(p).abs()));
  return scores;
}

/** SalUn saliency (Fan et al. 2024): |sum over member batches of dCE/dw|, one epoch. */
export function salunScores(s: ScoreInput): Scores {
  const sums = zeroScores(s.model);
  memberGradients(s, epochBatches(s), (name, _p, g) => sums.get(name)!.add_(g));
  noGrad(() => tidy(() => sums.forEach((t) => t.copy_(t.abs()))));
  return sums;
}

/**
 * PVE: update a copy for `iters` steps on (1 - lambda) CE(members) + lambda KL(f_up(x_ref) || f_anchor(x_ref)),
 * accumulating |g * w| of the copy at every step.
 */
export function pveScores(s: ScoreInput, o: PveOptions): Scores {
  if (!(o.lambda >= 0 && o.lambda <= 1)) throw new InputError(`PVE lambda must be in [0, 1], got ${o.lambda}`);
  if (!(Number.isInteger(o.iters) && o.iters >= 1)) throw new InputError(`PVE iterations must be a positive integer, got ${o.iters}`);
  const up = s.rebuild();
  if (o.start === 'target') up.copyFrom(s.model);
  else up.loadStateDict(s.init, 'initial weights');
  const anchor = o.lambda > 0 ? s.rebuild() : null;
  if (anchor) {
    if (o.anchor === 'target') anchor.copyFrom(s.model);
    else anchor.loadStateDict(s.init, 'initial weights');
    anchor.eval();
  }
  up.eval();
  const opt = makeOptimizer(s.optimizer, up.namedParameters());
  const scores = zeroScores(up);
  const gen = new Generator(s.seed);
  const refGen = new Generator(s.seed + 1);
  const refIter = batches(s.reference, s.batchSize, o.iters, refGen);
  try {
    for (const rows of batches(s.members, s.batchSize, o.iters, gen)) {
      const refRows = refIter.next().value as Tensor | undefined;
      tidy(() => {
        opt.zeroGrad();
        let loss = crossEntropy(up.forward(s.x.indexSelect(0, rows)), s.y.indexSelect(0, rows)).mul(1 - o.lambda);
        if (anchor && refRows && refRows.shape[0] > 0) {
          const xr = s.x.indexSelect(0, refRows);
          const anchorLog = noGrad(() => anchor.forward(xr).logSoftmax(1));
          const upLog = up.forward(xr).logSoftmax(1);
          loss = loss.add(klDiv(anchorLog, upLog, { logTarget: true }).mul(o.lambda));
        }
        loss.backward();
        accumulateTaylor(up, scores);
        opt.step();
      });
      rows.dispose();
      refRows?.dispose();
    }
  } finally {
    opt.dispose();
    up.dispose();
    anchor?.dispose();
  }
  return scores;
}

/** |w| of the trained weights. */
export function magnitudeScores(model: Module): Scores {
  return noGrad(() => new Map(model.namedParameters().map(([n, p]) => [n, keep(p.abs())])));
}

/** Uniform random scores (a location-agnostic control). */
export function randomScores(model: Module, seed: number): Scores {
  const gen = new Generator(seed);
  return new Map(model.namedParameters().map(([n, p]) => [n, keep(rand(p.shape, gen))]));
}

/** Scores of the named kind. */
export function computeScores(kind: ScoreName, s: ScoreInput, pve: PveOptions): Scores {
  switch (kind) {
    case 'pve':
      return pveScores(s, pve);
    case 'tfo':
      return tfoScores(s);
    case 'salun':
      return salunScores(s);
    case 'magnitude':
      return magnitudeScores(s.model);
    case 'random':
      return randomScores(s.model, s.seed);
    default:
      throw new InputError(`unknown score '${String(kind)}' (pve, tfo, salun, magnitude, random)`);
  }
}

/** Frees every score tensor. */
export function disposeScores(s: Scores): void {
  for (const t of s.values()) t.dispose();
}
