// `cwrf tune --budget`: a number of models (`60models`) or wall time (`2h`, `90m`), converted to models at the
// run's own per-model time: the seconds run.json records for its training plus its defense stages (every model the
// search trains is a target or a reference replaying a recipe of that size). Checked before any training.
import { InputError } from '../../util/errors.ts';
import { halvingSchedule, scheduleCost } from './select.ts';

/** A parsed budget. */
export type Budget = { models: number } | { seconds: number };

/** Parses `60models`, `2h`, `1.5h`, `90m` or `600s`. */
export function parseBudget(text: string): Budget {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(models?|h|hours?|m|min|minutes?|s|sec|seconds?)\s*$/i.exec(text);
  if (!m) throw new InputError(`--budget '${text}': expected a number of models (60models) or hours/minutes/seconds (2h, 90m, 600s)`);
  const v = Number(m[1]);
  const unit = m[2].toLowerCase();
  if (unit.startsWith('model')) {
    if (!Number.isInteger(v) || v < 1) throw new InputError(`--budget '${text}': a number of models is a whole number >= 1`);
    return { models: v };
  }
  if (v <= 0) throw new InputError(`--budget '${text}': the time must be positive`);
  return { seconds: unit.startsWith('h') ? v * 3600 : unit.startsWith('m') ? v * 60 : v };
}

/** Seconds one model of the run takes: its training plus its stages, as run.json records them. */
export function perModelSeconds(metrics: { trainSeconds: number; stages: { seconds: number }[] }): number {
  return metrics.trainSeconds + metrics.stages.reduce((a, s) => a + s.seconds, 0);
}

/** The budget in models (a time budget at `secondsPerModel` each, rounded down). */
export function budgetModels(b: Budget, secondsPerModel: number): number {
  if ('models' in b) return b.models;
  if (!(secondsPerModel > 0)) throw new InputError('--budget in hours needs the run\'s training time, which its run.json does not record: give --budget as a number of models (e.g. 60models)');
  return Math.floor(b.seconds / secondsPerModel);
}

/** Models one candidate costs: its defended model and the first rung's references (a search of one stops there). */
export function oneCandidateCost(minRefs: number, maxRefs: number, eta: number): number {
  return scheduleCost(halvingSchedule(1, minRefs, maxRefs, eta), true);
}

/** Throws (one line, before any training) when `models` cannot pay for one candidate. */
export function checkBudget(models: number, minRefs: number, maxRefs: number, eta: number, what: string): void {
  const one = oneCandidateCost(minRefs, maxRefs, eta);
  if (models < one) throw new InputError(`--budget ${what} is ${models} models, less than one candidate costs (${one}: its defended model and ${minRefs} references)`);
}
