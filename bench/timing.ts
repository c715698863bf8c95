// Timing helpers shared by the benchmarks: medians, repeated timed runs, one Adam training step.
import * as E from '../src/engine/index.ts';
import { engineEnv, PINNED_KERNELS } from '../src/engine/index.ts';
import type { Module } from '../src/nn/index.ts';
import { Adam } from '../src/optim/index.ts';

/** Median of `xs` (the upper one for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median seconds per call over `runs` runs of `n` calls each, after `warm` warm-up calls. */
export function timeIt(f: () => void, n: number, runs: number, warm = 3): number {
  for (let i = 0; i < warm; i++) f();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) f();
    times.push((performance.now() - t0) / 1000 / n);
  }
  return median(times);
}

/** One Adam (lr 1e-3) cross-entropy step of `net` on a fixed random batch of `xShape`. */
export function adamStep(net: Module, xShape: number[], classes: number): () => void {
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

/** The environment a user's Python starts with: this one less what cwrf's engine set when it loaded. */
export function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(engineEnv)) if (k !== 'OMP_WAIT_POLICY' || process.env.CWRF_BENCH_USER_WAIT === undefined) delete env[k];
  return env;
}

/** A peer environment matched to cwrf: its threads, BLAS threads, wait policy and BLAS/ATen kernels. */
export function matchedEnvironment(threads: number): NodeJS.ProcessEnv {
  const pins = Object.fromEntries(Object.keys(PINNED_KERNELS).flatMap((k) => (process.env[k] === undefined ? [] : [[k, process.env[k]]])));
  return {
    ...userEnvironment(),
    ...pins,
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: String(threads),
    OMP_WAIT_POLICY: 'PASSIVE',
  };
}
