// What every weight score shares: its input, the score maps, the entry type, and the member-batch helpers.
// Each score returns one non-negative float32 tensor per parameter, shaped like it.
import { Generator, crossEntropy, keep, noGrad, randperm, tidy, zerosLike, type Tensor } from '../../../engine/index.ts';
import type { Module, StateEntry } from '../../../nn/index.ts';
import type { OptimizerSpec } from '../../../optim/index.ts';
import type { Entry } from '../../../util/options.ts';

/** A score's registered name (src/defenses/cwrf/scores/index.ts). */
export type ScoreName = string;
export type Scores = Map<string, Tensor>;

/** A weight score of the registry: computes one score tensor per parameter. */
export interface ScoreEntry extends Entry {
  compute(s: ScoreInput, o: { pve: PveOptions }): Scores;
}

/** Where PVE's updated copy starts: the trained target, or its initial weights. */
export const PVE_STARTS = ['target', 'scratch'] as const;
/** The model whose reference-set outputs PVE's KL term anchors to. */
export const PVE_ANCHORS = ['target', 'init'] as const;

export interface PveOptions {
  /** Where the updated copy starts: the trained target, or its initial weights. */
  start: (typeof PVE_STARTS)[number];
  /** The model whose reference-set outputs the KL term anchors to. */
  anchor: (typeof PVE_ANCHORS)[number];
  lambda: number;
  iters: number;
  /** Learning rate of the copy's updates; unset: the recipe's optimizer's own (initial) rate. */
  lr?: number;
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

export function zeroScores(model: Module): Scores {
  return new Map(model.namedParameters().map(([n, p]) => [n, keep(zerosLike(p).detach())]));
}

/** Adds |g * w| of every parameter to its score. */
export function accumulateTaylor(model: Module, scores: Scores): void {
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
export function* batches(rows: Tensor, batchSize: number, iters: number, gen: Generator): IterableIterator<Tensor> {
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
export function memberGradients(s: ScoreInput, iters: number, visit: (name: string, p: Tensor, g: Tensor) => void): void {
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

export const epochBatches = (s: ScoreInput) => Math.ceil(s.members.shape[0] / s.batchSize);

/** Frees every score tensor. */
export function disposeScores(s: Scores): void {
  for (const t of s.values()) t.dispose();
}
