// `cwrf tune`: search the registries' defenses for the one that meets a privacy goal within an accuracy budget
// (successive halving, cheap audits first), then audit the choice afresh. Resumable; every input checked before
// any training.
import { join } from 'node:path';
import { checkCacheWritable, loadRun } from '../../runs/index.ts';
import { canonicalPath, isWithin } from '../../io/output.ts';
import { budgetModels, checkBudget, parseBudget, perModelSeconds } from '../../studies/tune/budget.ts';
import { goalLabel, parseGoal, parseGoalMetric, type Goal, type GoalMetric } from '../../studies/tune/goal.ts';
import { buildSpace, parseSpace, registrySources, spaceHelp } from '../../studies/tune/space.ts';
import { tune, tuneReportInput } from '../../studies/tune/tune.ts';
import { tuneVerdict } from '../../report/tune-report.ts';
import { InputError } from '../../util/errors.ts';
import { COMMON, DATA, outFlag, THREADS, type Command } from '../command.ts';
import { runLoadOptions } from '../data-flags.ts';
import { prepareResumableOut } from '../output.ts';
import { threadsFromFlags, workersFromFlags } from '../thread-flags.ts';
import { AUDIT_FLAGS } from './audit.ts';

/** What a tune directory holds (its marker names it too). */
const TUNE_ENTRIES = /^(candidates|undefended|chosen|tune\.(json|html)|timings\.json)$/;

/** The metric searched when no --goal is given. */
const DEFAULT_METRIC = 'lira:tpr@0.1%';

const fmt = (x: number) => `${(100 * x).toFixed(Math.abs(x) < 0.01 && x !== 0 ? 2 : 1)}%`;

export const tuneCommand: Command = {
  summary: 'search the registered defenses for one that meets a privacy goal within an accuracy budget; writes tune.json, tune.html and the chosen run',
  usage: 'cwrf tune RUN_DIR --goal ATTACK:METRIC<=VALUE --max-accuracy-drop POINTS [--budget 60models|2h] [--space PARAM=V,V;...] --out DIR',
  examples: [
    'cwrf tune runs/loc --goal "lira:tpr@0.1%<=1%" --max-accuracy-drop 1 --budget 60models --out tune-out/loc',
    'cwrf tune runs/loc --goal "rmia:auc<=60%" --max-accuracy-drop 2 --budget 2h --space "method=cwrf,rewind;objective=relaxloss,hamp" --out tune-out/loc-2h',
    'cwrf tune runs/loc --objective-metric lira:tpr@1% --max-accuracy-drop 1 --out tune-out/loc-front   # no goal: the Pareto front and the lowest metric in budget',
  ],
  flags: {
    ...COMMON,
    ...DATA,
    goal: {
      type: 'string',
      value: 'ATTACK:METRIC<=VALUE',
      description: 'privacy goal, an upper bound on an attack metric: ATTACK lira, rmia, loss or a registry name; METRIC auc or tpr@X% (e.g. lira:tpr@0.1%<=0.5%, rmia:auc<=60%)',
    },
    'objective-metric': {
      type: 'string',
      value: 'ATTACK:METRIC',
      defaultText: `--goal's metric, else ${DEFAULT_METRIC}`,
      description: "the metric minimised without --goal (the goal's syntax without <=VALUE); tune then reports the Pareto front and the lowest value inside the accuracy budget",
    },
    'max-accuracy-drop': {
      type: 'number',
      min: 0,
      max: 100,
      default: 1,
      description: "largest accepted loss of accuracy, in points (validation accuracy during the search, the untouched test set on the fresh audit)",
    },
    budget: {
      type: 'string',
      value: 'Nmodels|Nh|Nm',
      default: '60models',
      description: "models the search may train (targets and references; the fresh audits come on top), or wall time converted at the run's per-model time (run.json: training plus stages); the space is drawn (seeded) to fit",
    },
    space: {
      type: 'string',
      value: 'PARAM=V,V;...',
      defaultText: 'every registered method on every objective and DP-SGD, at the declared grids',
      description: `narrow the search space; parameters (default grid): ${spaceHelp(registrySources('location'))}. Retraining baselines are always kept`,
    },
    'min-refs': { type: 'int', min: 2, default: 2, description: 'reference models of the first rung' },
    'max-refs': { type: 'int', min: 2, default: 8, description: 'reference models of the last rung and of the fresh audits' },
    eta: { type: 'int', min: 2, default: 2, description: 'successive halving: keep 1/eta of the candidates per rung, give them eta times the references' },
    seed: { type: 'int', min: 0, default: 0, description: 'seed of the validation split and of the draw of candidates the budget affords' },
    workers: AUDIT_FLAGS.workers,
    ...THREADS,
    ...outFlag('', 'output directory (required); a rerun of the same command continues it'),
  },
  async run(f, pos, io) {
    const dir = pos[0];
    if (!dir) throw new InputError('give the run to tune: cwrf tune RUN_DIR --goal ... --out DIR');
    const out = f.opt<string>('out');
    if (out === undefined) throw new InputError('--out DIR is required');
    const goalText = f.opt<string>('goal');
    const goal: Goal | null = goalText === undefined ? null : parseGoal(goalText);
    const metricText = f.opt<string>('objective-metric');
    const metric: GoalMetric = metricText === undefined ? (goal ?? parseGoalMetric(DEFAULT_METRIC)) : parseGoalMetric(metricText);
    if (goal && metricText !== undefined && goalLabel(goal) !== goalLabel(metric))
      throw new InputError(`--objective-metric ${metricText} differs from --goal's metric: give one of them`);
    const maxDrop = f.get<number>('max-accuracy-drop') / 100;
    const budgetText = f.get<string>('budget');
    const budget = parseBudget(budgetText);
    const [minRefs, maxRefs, eta] = [f.get<number>('min-refs'), f.get<number>('max-refs'), f.get<number>('eta')];
    if (minRefs > maxRefs) throw new InputError(`--min-refs ${minRefs} is above --max-refs ${maxRefs}`);
    const run = await loadRun(dir);
    const src = registrySources(run.recipe.dataset);
    const spaceText = f.opt<string>('space');
    const candidates = buildSpace(run, spaceText === undefined ? new Map() : parseSpace(spaceText, src), src);
    if (!candidates.length) throw new InputError(`--space '${spaceText}' leaves no candidate`);
    const models = budgetModels(budget, perModelSeconds(run.metrics));
    checkBudget(models, minRefs, maxRefs, eta, `'${budgetText}'`);
    const seed = f.get<number>('seed');
    const threads = threadsFromFlags(f);
    const workers = workersFromFlags(f);
    const load = runLoadOptions(f, run);
    const g = goal ?? metric;
    const settings = { run: dir, goal: g, maxDrop, models, space: spaceText ?? null, minRefs, maxRefs, eta, seed };
    const [o, r] = [canonicalPath(out), canonicalPath(dir)];
    if (isWithin(r, o) || isWithin(o, r)) throw new InputError(`--out ${out} ${isWithin(r, o) ? 'contains' : 'is inside'} the run ${dir}, which tune reads: pick another --out`);
    await prepareResumableOut(f, 'tune', out, settings, (n) => TUNE_ENTRIES.test(n));
    checkCacheWritable();
    io.err(`cwrf tune: ${candidates.length} candidates in the space, a budget of ${models} models${'seconds' in budget ? ` (${budgetText} at ${perModelSeconds(run.metrics).toFixed(1)} s per model, run.json)` : ''} -> ${out}/`);
    const { json, timings, chosenDir } = await tune(run, candidates, {
      ...load,
      out,
      goal: g,
      maxAccuracyDrop: maxDrop,
      budgetModels: models,
      minRefs,
      maxRefs,
      eta,
      seed,
      workers,
      threads,
      onProgress: (p) => {
        const eta = p.etaSeconds === null ? '?' : `${Math.round(p.etaSeconds)}s`;
        io.err(`  rung ${p.rung}/${p.rungs}: ${p.candidate} measured (${p.done}/${p.total}); ${p.left} left this search, ETA ${eta}`);
      },
    });
    io.log('');
    io.log(tuneVerdict(tuneReportInput(json)));
    const label = (id: string) => json.candidates.find((c) => c.id === id)?.label ?? id;
    io.log(`searched ${json.candidates.length} of ${json.spaceSize} candidates (${json.plannedModels} models planned, ${json.schedule.length} rungs) in ${timings.seconds.toFixed(0)} s`);
    io.log(`Pareto front (validation accuracy, ${goalLabel(g)}):`);
    for (const id of json.front) {
      const r = json.candidates.find((c) => c.id === id)!.rungs.at(-1)!;
      io.log(`  ${fmt(r.accuracy).padStart(7)}  ${fmt(r.metric).padStart(7)}  ${label(id)}${id === json.chosen ? '  <- chosen' : ''}`);
    }
    for (const x of json.fresh) io.log(`fresh audit: ${x.label}: test acc ${fmt(x.testAccuracy)}, ${goalLabel(g)} ${fmt(x.metric)}, AUC ${fmt(x.auc)} (${x.refs} refs)`);
    io.log(`files: ${join(out, 'tune.json')}, ${join(out, 'tune.html')}${chosenDir ? `, ${chosenDir} (cwrf audit/export/predict take it)` : ''}`);
    return { ...json, out, chosenDir, seconds: timings.seconds };
  },
};
