// `cwrf tune`'s search space, built by walking the registries: every defense method (its declared tunables), on a
// base trained with every objective (its tunables) or DP-SGD (its target epsilon). No defense is named here: a
// newly registered method or objective with tunables is searched without editing tune. `--space` narrows it.
//
// A candidate is a method at one point of its grid on one base: the run itself when the base's objective (and DP
// settings) are the run's own, else the run's recipe retrained from scratch with them. A stage method that
// fine-tunes does so with the base's objective (as `cwrf bench`'s "X + CWRF" rows). The retraining methods alone
// (a base defense with nothing on top) are the baselines, kept for every objective of the space whatever `method=` says.
import { cwrfStage, METHODS, type MethodEntry } from '../../defenses/index.ts';
import { DPSGD_TUNING, type TrainingTuning } from '../../defenses/dpsgd/index.ts';
import { dpModel } from '../bench-rows.ts';
import { defendedRecipe, retrainRecipe } from '../../runs/defend.ts';
import { canonicalJson, OBJECTIVES, type DefenseStage, type DpSpec, type ObjectiveSpec, type Recipe } from '../../train/index.ts';
import { InputError } from '../../util/errors.ts';
import { readAll } from '../../util/options.ts';
import { gridOf, parseTunableValue, type Tunable } from '../../util/tunables.ts';
import type { Candidate } from './search.ts';

/** A parsed `--space`: the values each named parameter is narrowed to. */
export type SpaceFilter = ReadonlyMap<string, readonly (number | string)[]>;

/** Where the space comes from: the method registry and the ways of training a base (objectives, DP-SGD). */
export interface SpaceSources {
  methods: readonly MethodEntry[];
  trainings: readonly TrainingTuning[];
}

/** Every registered objective as a way of training a base (its other options at the dataset's defaults). */
export function objectiveTrainings(dataset: string): TrainingTuning[] {
  return OBJECTIVES.entries().map((e) => ({
    name: e.name,
    description: e.description,
    tunables: e.tunables,
    spec: (v) => {
      const spec: ObjectiveSpec = { name: e.name, ...readAll(e.options, {}, e.defaults?.(dataset)) };
      for (const t of e.tunables) if (v[t.name] !== undefined) spec[t.key] = v[t.name];
      return { objective: spec };
    },
  }));
}

/** The registries' space for `dataset`: every method, every objective and DP-SGD. */
export function registrySources(dataset: string): SpaceSources {
  return { methods: METHODS.entries(), trainings: [...objectiveTrainings(dataset), DPSGD_TUNING] };
}

const choice = (name: string, values: string[], description: string): Tunable => ({ name, key: name, kind: 'choice', values, grid: values, description });

/** The parameters a `--space` may name: method, objective, then every tunable of the sources (first declaration of a shared name). */
export function spaceParameters(src: SpaceSources): Map<string, Tunable> {
  const out = new Map<string, Tunable>([
    ['method', choice('method', src.methods.map((m) => m.name), 'defense method')],
    ['objective', choice('objective', src.trainings.map((t) => t.name), "the base's training objective (and the fine-tune's)")],
  ]);
  for (const t of [...src.methods.flatMap((m) => m.tunables), ...src.trainings.flatMap((x) => x.tunables)]) {
    const had = out.get(t.name);
    if (had && had.kind !== t.kind) throw new Error(`tunable '${t.name}' is declared as ${had.kind} and as ${t.kind}`);
    if (!had) out.set(t.name, t);
  }
  return out;
}

/** Parses `--space "method=cwrf,rewind;objective=relaxloss,hamp;ratio=0.001,0.01"` (InputError naming the valid parameters or values). */
export function parseSpace(text: string, src: SpaceSources): SpaceFilter {
  const params = spaceParameters(src);
  const out = new Map<string, (number | string)[]>();
  for (const part of text.split(';').map((x) => x.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    const t = params.get(name);
    if (!t) throw new InputError(`--space: unknown parameter '${name}' (${[...params.keys()].join(', ')})`);
    const values = eq < 0 ? [] : part.slice(eq + 1).split(',').map((x) => x.trim()).filter(Boolean);
    if (!values.length) throw new InputError(`--space: '${part}' names no values (PARAM=V,V,...; ${name}: ${t.grid.join(', ')})`);
    if (out.has(name)) throw new InputError(`--space: parameter '${name}' is given twice`);
    out.set(name, [...new Set(values.map((v) => parseTunableValue(t, v)))]);
  }
  return out;
}

/** A filesystem-safe id of a candidate's settings (stable: the same settings give the same folder on a rerun). */
export function candidateId(settings: Record<string, number | string>): string {
  const { method, objective, ...rest } = settings;
  return [method, objective, ...Object.entries(rest).map(([k, v]) => `${k}-${v}`)].map((x) => String(x).replace(/[^A-Za-z0-9.-]+/g, '-')).join('_');
}

/** A candidate's label, e.g. 'cwrf on relaxloss (alpha 1; ratio 0.001, epochs 5, lr-factor 0.1)'. */
function candidateLabel(method: string, training: string, tv: Record<string, number | string>, mv: Record<string, number | string>): string {
  const fmt = (o: Record<string, number | string>) => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ');
  const parts = [fmt(tv), fmt(mv)].filter(Boolean);
  return `${method} on ${training}${parts.length ? ` (${parts.join('; ')})` : ''}`;
}

/** The stage options of a method's grid point (a relative learning rate of 1 is left out: the recipe's own, as the defaults record it). */
function stageOptions(m: MethodEntry, values: Record<string, number | string>, recipe: Recipe): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const t of m.tunables) {
    const v = values[t.name];
    if (t.relative === 'recipe-lr') {
      if (v !== 1) o[t.key] = Number(v) * recipe.optimizer.lr;
    } else o[t.key] = v;
  }
  return o;
}

/** The recipe of the run's recipe retrained with `objective` (and DP-SGD, on a model DP-SGD can train). */
function retrained(recipe: Recipe, objective: ObjectiveSpec, dp: DpSpec | undefined): Recipe {
  const r = retrainRecipe(recipe, objective, dp);
  return dp ? { ...r, model: dpModel(r.model) } : r;
}

/** The candidates of the run's space narrowed by `filter`, in registry and grid order, without duplicates. */
export function buildSpace(run: { recipe: Recipe }, filter: SpaceFilter = new Map(), src: SpaceSources = registrySources(run.recipe.dataset)): Candidate[] {
  spaceParameters(src);
  const recipe = run.recipe;
  const own = canonicalJson({ objective: recipe.objective, dp: recipe.dp ?? null });
  // the retraining methods stay in whatever `method=` says: each base defense alone is the baseline its stages are compared with
  const methods = src.methods.filter((m) => m.retrain || !filter.has('method') || filter.get('method')!.includes(m.name));
  const trainings = src.trainings.filter((t) => !filter.has('objective') || filter.get('objective')!.includes(t.name));
  const out = new Map<string, Candidate>();
  for (const m of methods)
    for (const t of trainings)
      for (const tv of gridOf(t.tunables, filter)) {
        const { objective, dp } = t.spec(tv);
        const onRun = canonicalJson({ objective, dp: dp ?? null }) === own;
        const add = (c: Omit<Candidate, 'id' | 'settings' | 'label'>, mv: Record<string, number | string>) => {
          const settings = { method: m.name, objective: t.name, ...tv, ...mv };
          const id = candidateId(settings);
          if (!out.has(id)) out.set(id, { id, label: candidateLabel(m.name, t.name, tv, mv), settings, ...c });
        };
        if (m.retrain) {
          // the run's own objective retrained is the run itself (the undefended reference every search audits)
          if (!onRun) add({ action: { retrain: { ...m.retrain(recipe, objective, dp), ...(dp ? { model: dpModel(recipe.model) } : {}) } }, baseline: true }, {});
          continue;
        }
        if (!m.stage) continue;
        const base = onRun ? recipe : retrained(recipe, objective, dp);
        for (const mv of gridOf(m.tunables, filter)) {
          const opts = { ...stageOptions(m, mv, base), ...(m.usesObjective ? { objective, ...(dp ? { dp } : {}) } : {}) };
          const stage: DefenseStage = { ...cwrfStage(m.name, opts, base) };
          add({ action: onRun ? { stage } : { retrain: defendedRecipe(base, stage) }, baseline: false }, mv);
        }
      }
  return [...out.values()];
}

/** What a `--space` flag's help lists: each parameter with its values or default grid. */
export function spaceHelp(src: SpaceSources): string {
  return [...spaceParameters(src).values()].map((t) => `${t.name} (${(t.values ?? t.grid).join(', ')})`).join('; ');
}
