// PVE (privacy-vulnerability estimation, CWRF): |g * w| while a copy moves away from memorising members.
import { Generator, crossEntropy, klDiv, noGrad, tidy, type Tensor } from '../../../engine/index.ts';
import { lrAt, makeOptimizer } from '../../../optim/index.ts';
import type { Recipe } from '../../../train/index.ts';
import { checkChoice, checkNumber, isRecord } from '../../../util/check.ts';
import { InputError } from '../../../util/errors.ts';
import type { OptionTable } from '../../../util/options.ts';
import { accumulateTaylor, batches, PVE_ANCHORS, PVE_STARTS, zeroScores, type PveOptions, type ScoreEntry, type ScoreInput, type Scores } from './common.ts';

/**
 * PVE: update a copy for `iters` steps on (1 - lambda) CE(members) + lambda KL(f_up(x_ref) || f_anchor(x_ref)),
 * accumulating |g * w| of the copy at every step.
 */
export function pveScores(s: ScoreInput, o: PveOptions): Scores {
  // the ranges PVE_OPTIONS declares (the copy's rate is left to the divergence check below, which names it)
  checkNumber(o.lambda, 'PVE lambda', { min: PVE_OPTIONS.lambda.min, max: PVE_OPTIONS.lambda.max });
  checkNumber(o.iters, 'PVE iterations', { int: true, min: PVE_OPTIONS.iters.min });
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
  const spec = o.lr === undefined ? s.optimizer : { ...s.optimizer, lr: o.lr };
  const opt = makeOptimizer(spec, up.namedParameters());
  const scores = zeroScores(up);
  const gen = new Generator(s.seed);
  const refGen = new Generator(s.seed + 1);
  const refIter = batches(s.reference, s.batchSize, o.iters, refGen);
  let step = 0;
  try {
    for (const rows of batches(s.members, s.batchSize, o.iters, gen)) {
      step++;
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
        // a diverged copy makes every score NaN, and a NaN ranking picks arbitrary "critical" weights
        if (!Number.isFinite(loss.item()))
          throw new InputError(
            `PVE diverged at update ${step} of ${o.iters} (non-finite loss) with ${spec.name} lr ${spec.lr}: set a smaller --pve-lr (e.g. the learning rate training ended with)`,
          );
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

/** PVE's options as flags (stored in a stage's `pve`). */
export const PVE_OPTIONS = {
  'pve-start': {
    type: 'choice',
    choices: PVE_STARTS,
    default: 'target',
    key: 'start',
    description: 'where the updated copy starts',
  },
  'pve-anchor': {
    type: 'choice',
    choices: PVE_ANCHORS,
    default: 'target',
    key: 'anchor',
    description: 'model whose reference-set outputs the KL term anchors to',
  },
  lambda: { type: 'number', min: 0, max: 1, default: 0.5, description: 'weight of the KL term' },
  iters: { type: 'int', min: 1, default: 20, description: 'update steps of the copy' },
  'pve-lr': {
    type: 'number',
    min: 0,
    key: 'lr',
    defaultText: "SGD with a step/multistep schedule: the rate training ends with; else the recipe's rate",
    description: "learning rate of the copy's updates",
  },
} satisfies OptionTable;

/** PVE's options as recorded (or read from flags), each checked against the range its flag declares (PVE_OPTIONS). */
export function readPve(v: unknown): PveOptions {
  if (!isRecord(v)) throw new InputError(`PVE options must be {start, anchor, lambda, iters}, got ${JSON.stringify(v)}`);
  const o = PVE_OPTIONS;
  return {
    start: checkChoice(v.start, 'PVE start', PVE_STARTS),
    anchor: checkChoice(v.anchor, 'PVE anchor', PVE_ANCHORS),
    lambda: checkNumber(v.lambda, 'PVE lambda', { min: o.lambda.min, max: o.lambda.max }),
    iters: checkNumber(v.iters, 'PVE iterations', { int: true, min: o.iters.min }),
    ...(v.lr !== undefined ? { lr: checkNumber(v.lr, 'PVE lr', { min: o['pve-lr'].min }) } : {}),
  };
}

/**
 * PVE's options for `recipe`: `given` over the recipe's default copy rate. SGD under a step or multistep schedule
 * updates the copy at the rate training ends with (at resnet20's initial 0.1 the copy diverged and every score was
 * NaN; docs/bench-cifar10.md); other recipes at their initial rate (no `lr` recorded).
 */
export function pveFor(recipe: Pick<Recipe, 'optimizer' | 'schedule' | 'epochs'>, given: PveOptions): PveOptions {
  if (given.lr !== undefined) return given;
  const { optimizer: o, schedule: sch, epochs } = recipe;
  if (o.name !== 'sgd' || (sch.name !== 'step' && sch.name !== 'multistep') || epochs < 1) return given;
  const end = Number(lrAt(sch, o.lr, epochs - 1, epochs).toPrecision(12));
  return end < o.lr ? { ...given, lr: end } : given;
}

export const pveScore: ScoreEntry = {
  name: 'pve',
  description: 'privacy-vulnerability estimation: |g * w| of (1 - lambda) CE(members) + lambda KL on the reference set',
  options: PVE_OPTIONS,
  compute: (s, o) => pveScores(s, o.pve),
};
