// Settings of the bench's base defenses given on the command line (e.g. --ccl-alpha 0.02 for the CCL rows, or
// --target-epsilon 4 for the DP-SGD rows): applied to every row built on that defense, its fine-tune objective
// included, and shown in the row's name, so a page never hides a changed setting and a changed setting never
// reuses a run of the default one (the row's directories carry the name).
import type { DpSpec, ObjectiveSpec } from '../train/index.ts';
import type { CwrfStage } from '../defenses/index.ts';
import type { BenchDefense } from './bench-rows.ts';

/** Given settings: objective name -> spec fields, and DP-SGD's fields for the DP rows. */
export interface BaseParams {
  objectives: Record<string, Record<string, unknown>>;
  dp: Partial<DpSpec>;
}

/** No setting given: every row at its defaults (the rows, their names and directories unchanged). */
export const NO_PARAMS: BaseParams = { objectives: {}, dp: {} };

const DP_SHORT: Record<string, string> = { maxGradNorm: 'C', noiseMultiplier: 'sigma', targetEpsilon: 'eps', delta: 'delta' };

/** 'alpha 0.02, beta 0.1' of the given fields ('' when none). */
const note = (given: Record<string, unknown>, short: Record<string, string> = {}): string =>
  Object.entries(given)
    .map(([k, v]) => `${short[k] ?? k} ${String(v)}`)
    .join(', ');

/** The settings a row's base is given (the note its name carries), '' at the defaults. */
function paramNote(d: Pick<BenchDefense, 'base' | 'dp'>, p: BaseParams): string {
  const given = d.dp ? p.dp : p.objectives[d.base.name];
  return given ? note(given, d.dp ? DP_SHORT : {}) : '';
}

/**
 * 'CCL + CWRF {..}' -> 'CCL (alpha 0.02) + CWRF {..}': the note after the base defense's name. A name that states
 * the default privacy budget (the Location table's 'DP-SGD (eps 8)') has it replaced instead.
 */
function renamed(name: string, n: string, dp: boolean): string {
  if (dp && /\beps 8\b/.test(name)) return name.replace(/\beps 8\b/, n);
  const i = name.search(/ \+ | \{/);
  return i < 0 ? `${name} (${n})` : `${name.slice(0, i)} (${n})${name.slice(i)}`;
}

/** DP settings with the given fields over `dp` (a given noise multiplier replaces the default target epsilon). */
function dpWith(dp: DpSpec, given: Partial<DpSpec>): DpSpec {
  const out: DpSpec = { ...dp, ...given };
  if (given.noiseMultiplier !== undefined && given.targetEpsilon === undefined) delete out.targetEpsilon;
  return out;
}

/** The rows with the given settings applied (to the base, the fine-tune objective and DP) and named. */
export function withParams(rows: BenchDefense[], p: BaseParams): BenchDefense[] {
  return rows.map((d) => {
    const n = paramNote(d, p);
    if (!n) return d;
    const objective = (o: ObjectiveSpec): ObjectiveSpec => (o.name === d.base.name && !d.dp ? { ...o, ...p.objectives[o.name] } : o);
    const inner = d.stage;
    const stage = inner
      ? (r: Parameters<typeof inner>[0]): CwrfStage => {
          const s = inner(r);
          return { ...s, objective: objective(s.objective), ...(s.dp ? { dp: dpWith(s.dp, p.dp) } : {}) };
        }
      : undefined;
    return {
      ...d,
      name: renamed(d.name, n, !!d.dp),
      base: objective(d.base),
      ...(d.dp ? { dp: dpWith(d.dp, p.dp) } : {}),
      ...(stage ? { stage } : {}),
      ...(d.sweep ? { sweep: { ...d.sweep, of: renamed(d.sweep.of, n, !!d.dp) } } : {}),
      ...(d.grid ? { grid: { ...d.grid, of: renamed(d.grid.of, n, !!d.dp) } } : {}),
      params: n,
    };
  });
}
