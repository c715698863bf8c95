// The demo: MNIST (embedded, no download) -> train a target -> audit -> defend with CWRF (the paper's,
// with fine-tune, and rewind only), alone and on RelaxLoss -> audit again -> one report. Finished steps
// are reused, so a rerun takes seconds.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AttackName } from '../attacks/index.ts';
import { cwrfStage } from '../defenses/index.ts';
import { defaultRecipe, relaxLossDefaults, type DefenseStage, type Recipe } from '../train/index.ts';
import { audit, loadAuditForReport, type AuditOptions } from '../audit/audit.ts';
import { defend, defendedRecipe } from '../runs/defend.ts';
import { reuseRun, train, type Run } from '../runs/run.ts';
import type { ReportModel } from '../report/index.ts';

export const DEMO_ATTACKS: AttackName[] = ['lira-online-fixed', 'lira-online', 'rmia-online', 'loss'];

/** The demo's target recipe: the MNIST MLP of the calibration (784-512-256-10, Adam 1e-3, 30 epochs, 2,000 members). */
export function demoRecipe(): Recipe {
  return { ...defaultRecipe('mnist'), split: { seed: 0, referenceFraction: 0.1, populationSize: 4000 } };
}

export interface DemoStep {
  name: string;
  run: Run;
  auditDir: string;
}

export interface DemoOptions {
  out: string;
  refs: number;
  workers?: number;
  /** Intra-op threads of the reference models (default: trainingThreads()). */
  threads?: number;
  onStep?: (what: string) => void;
  onReference?: (done: number, total: number, cached: boolean) => void;
  onEpoch?: (stage: string, epoch: number) => void;
  /** Renders each audit's report.html (see AuditOptions.render). */
  render?: AuditOptions['render'];
}

/** Runs (or reuses) every step of the demo and returns the audited models in report order. */
export async function demo(o: DemoOptions): Promise<{ steps: DemoStep[]; models: ReportModel[] }> {
  const base = demoRecipe();
  const rl = { name: 'relaxloss' as const, ...relaxLossDefaults(base.dataset) };
  const cached = async (dir: string, want: Recipe, make: () => Promise<Run>, what: string) => {
    if (existsSync(join(dir, 'run.json'))) return reuseRun(dir, want);
    o.onStep?.(what);
    return make();
  };
  const onEpoch = (stage: string, s: { epoch: number }) => o.onEpoch?.(stage, s.epoch);
  const target = await cached(join(o.out, 'target'), base, () => train(base, { out: join(o.out, 'target'), onEpoch }), 'train the target');
  const relax = await cached(join(o.out, 'relaxloss'), { ...base, objective: rl }, () => train({ ...base, objective: rl }, { out: join(o.out, 'relaxloss'), onEpoch }), 'train with RelaxLoss');
  const defended = (run: Run, objective: Recipe['objective'], name: string, what: string, method: 'cwrf' | 'rewind' = 'cwrf') => {
    const stage: DefenseStage = cwrfStage(method, { objective }, run.recipe);
    const out = join(o.out, name);
    return cached(out, defendedRecipe(run.recipe, stage), () => defend(run, { stage }, { out, onEpoch }), what);
  };
  const cwrf = await defended(target, { name: 'ce' }, 'cwrf', 'defend with CWRF');
  const relaxCwrf = await defended(relax, rl, 'relaxloss-cwrf', 'defend with RelaxLoss + CWRF');
  const rewound = await defended(target, { name: 'ce' }, 'rewind', 'defend with CWRF rewind only', 'rewind');
  const relaxRewound = await defended(relax, rl, 'relaxloss-rewind', 'defend with RelaxLoss + CWRF rewind only', 'rewind');
  const steps: DemoStep[] = [];
  const models: ReportModel[] = [];
  for (const [name, run] of [
    ['undefended', target],
    ['CWRF', cwrf],
    ['CWRF rewind only', rewound],
    ['RelaxLoss', relax],
    ['RelaxLoss + CWRF', relaxCwrf],
    ['RelaxLoss + rewind', relaxRewound],
  ] as const) {
    const auditDir = join(run.dir, 'audit');
    if (!existsSync(join(auditDir, 'audit.json'))) {
      o.onStep?.(`audit ${name}`);
      await audit(run, { refs: o.refs, out: auditDir, workers: o.workers, threads: o.threads, attacks: DEMO_ATTACKS, render: o.render, onReference: (d, t, r) => o.onReference?.(d, t, r.cached) });
    }
    steps.push({ name, run, auditDir });
    models.push({ ...(await loadAuditForReport(auditDir)), name });
  }
  return { steps, models };
}
