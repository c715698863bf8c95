// The demo's last step: `cwrf tune` on the demo's target, over a small space with a small budget (the whole demo
// stays within a few minutes on 2 cores), and its answer in a few lines for a new user.
import { join } from 'node:path';
import type { Run } from '../../runs/run.ts';
import { tuneVerdict } from '../../report/tune-report.ts';
import { goalLabel, parseGoal } from './goal.ts';
import type { SearchOptions } from './search.ts';
import { buildSpace, parseSpace, registrySources } from './space.ts';
import { tune, tuneReportInput, type TuneOutcome } from './tune.ts';

/** The demo's search: rewinding, alone and on RelaxLoss, against RelaxLoss alone (LiRA AUC: steadier than a low-FPR TPR with 2 references). */
export const DEMO_TUNE = {
  goal: 'lira:auc<=55%',
  /** Accuracy points (validation accuracy is measured on 200 rows: half a point per row). */
  maxAccuracyDrop: 2,
  space: 'method=rewind;objective=ce,relaxloss;alpha=1;ratio=0.001',
  /** One rung of 2 references for the 3 candidates (9 models), fresh audits with 2: about 15 MNIST models in all. */
  budgetModels: 9,
  minRefs: 2,
  maxRefs: 2,
} as const;

/** Runs (or resumes) the demo's tune of `target` into `out`/tune. */
export function demoTune(target: Run, o: { out: string; workers?: number; threads?: number; onProgress?: SearchOptions['onProgress'] }): Promise<TuneOutcome> {
  const src = registrySources(target.recipe.dataset);
  const candidates = buildSpace(target, parseSpace(DEMO_TUNE.space, src), src);
  return tune(target, candidates, {
    out: join(o.out, 'tune'),
    goal: parseGoal(DEMO_TUNE.goal),
    maxAccuracyDrop: DEMO_TUNE.maxAccuracyDrop / 100,
    budgetModels: DEMO_TUNE.budgetModels,
    minRefs: DEMO_TUNE.minRefs,
    maxRefs: DEMO_TUNE.maxRefs,
    workers: o.workers,
    threads: o.threads,
    onProgress: o.onProgress,
  });
}

/** The demo tune's answer in a few lines. */
export function demoTuneLines(r: TuneOutcome, out: string): string[] {
  const g = parseGoal(DEMO_TUNE.goal);
  return [
    `cwrf tune: which defense keeps ${goalLabel(g)} <= ${+(g.max * 100).toFixed(4)}% for at most ${DEMO_TUNE.maxAccuracyDrop} points of accuracy?`,
    `  searched ${r.json.candidates.length} candidates with ${r.json.plannedModels} models (${DEMO_TUNE.space})`,
    `  ${tuneVerdict(tuneReportInput(r.json))}`,
    `  page: ${join(out, 'tune', 'tune.html')}${r.chosenDir ? `; the chosen model, an ordinary run: ${r.chosenDir}` : ''}`,
    `  the same on your run: cwrf tune RUN --goal "${DEMO_TUNE.goal}" --max-accuracy-drop ${DEMO_TUNE.maxAccuracyDrop} --out DIR`,
  ];
}
