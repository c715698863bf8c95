// cwrf's public API (the package entry, `import { train, audit, defend, loadRun } from 'cwrf'`).
// Everything here is stable across patch releases; deeper modules are internal.

/** Train a target model into a run directory; read a run back. */
export { train, loadRun, type Run, type RunJson, type RunMetrics, type TrainOptions } from './runs/run.ts';
/** Audit a run: reference models replaying its recipe (defense included), LiRA, RMIA and threshold attacks. */
export {
  audit,
  readSignals,
  DEFAULT_ATTACKS,
  type AuditJson,
  type AuditJson as AuditResult,
  type AuditOptions,
  type AttackSummary,
} from './audit/index.ts';
/** Defend a run (CWRF and the baselines) into a new run; the retrain-from-scratch baseline's recipe. */
export { defend, retrainRecipe, type DefendOptions } from './runs/defend.ts';
/** The paper's three insights on a run; the privacy-utility table on a dataset. */
export { analyze, type AnalyzeJson, type AnalyzeOptions, type VariantResult } from './studies/analyze.ts';
export { bench, benchDefenses, type BenchDefense, type BenchOptions, type BenchRow } from './studies/bench.ts';
/** Search the registered defenses for one that meets a privacy goal within an accuracy budget (`cwrf tune`). */
export { tune, type TuneOutcome, type TuneTimings } from './studies/tune/tune.ts';
export { buildSpace, parseSpace, registrySources, type SpaceFilter, type SpaceSources } from './studies/tune/space.ts';
export { parseGoal, parseGoalMetric, type Goal, type GoalMetric } from './studies/tune/goal.ts';
export type { Candidate, SearchOptions, TuneJson } from './studies/tune/search.ts';
export type { Tunable } from './util/tunables.ts';
/** Self-contained HTML reports: pass `render: renderAuditReport` to audit() (or bench()) to write report.html. */
export { renderAuditReport, renderAnalyzeReport, renderBenchReport, benchMarkdown, type AuditReportInput } from './report/index.ts';
/** cwrf's, libtorch's and Node's versions. */
export { versions } from './runs/versions.ts';

/** Recipes: the per-dataset defaults and their validation. */
export { defaultRecipe, relaxLossDefaults, validateRecipe } from './train/index.ts';
export type { Recipe, SplitSpec, DpSpec, DefenseStage, ObjectiveSpec, EpochStats } from './train/index.ts';
export type { ModelSpec } from './nn/index.ts';
export type { OptimizerSpec, ScheduleSpec } from './optim/index.ts';

/** A weight-level defense stage (CWRF, rewind, prune, fine-tune-all) with its defaults filled in. */
export { cwrfStage, CWRF_DEFAULTS, type CwrfStage, type DefenseMethod } from './defenses/index.ts';

/** Datasets cwrf knows and where it looks for their files. */
export { listDatasets, dataSearchPath, type LoadOptions, type DatasetInfo } from './data/index.ts';

/** The attacks and metrics as pure functions of signal matrices (e.g. exported from PyTorch). */
export { runAttacks, summarize, roc, auc, tprAtFpr, ATTACK_NAMES, ATTACKS } from './attacks/index.ts';
export type { AttackName, AttackResult, RunAttacksInput, Summary, Roc } from './attacks/index.ts';

/** DP-SGD privacy accounting (RDP). */
export { epsilon, noiseForEpsilon, getPrivacySpent, RdpAccountant, type PrivacySpent } from './defenses/dpsgd/index.ts';

/** The error thrown for bad input (a one-line message; the CLI exits 2 on it). */
export { InputError } from './util/errors.ts';
