// `cwrf analyze`: the paper's three insights on a run, as numbers (analyze.json) and a page (analyze.html).
import { cpus } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CWRF_DEFAULTS } from '../../defenses/index.ts';
import { analyze, audit, loadRun } from '../../experiments/index.ts';
import { setThreads } from '../../engine/index.ts';
import { writeDirAtomic, writeFileAtomic, writeJsonAtomic } from '../../io/atomic.ts';
import { renderAnalyzeReport } from '../../report/index.ts';
import { InputError } from '../../util/errors.ts';
import { COMMON, DATA, listFlag, numberFlag, type Command } from '../command.ts';
import { runLoadOptions } from '../data-flags.ts';
import { scoreFromFlags, STAGE_FLAGS } from '../defense-flags.ts';
import { Progress } from '../progress.ts';
import { AUDIT_FLAGS } from './audit.ts';

export const analyzeCommand: Command = {
  summary: "reproduce the paper's three insights on a run (concentration, entanglement, location vs value)",
  usage: 'cwrf analyze RUN_DIR [--ratio 0.001] [--sweep 0.001,0.003,0.01,0.03,0.1] [--out RUN_DIR/analyze]',
  examples: ['cwrf analyze runs/loc', 'cwrf analyze runs/loc --ratio 0.03 --lambda 0.5 --iters 20 --json'],
  options: {
    ...COMMON,
    ...DATA,
    ...STAGE_FLAGS,
    refs: AUDIT_FLAGS.refs,
    workers: AUDIT_FLAGS.workers,
    sweep: { type: 'string' },
    audit: { type: 'string' },
    out: { type: 'string', short: 'o' },
  },
  async run(v, pos, io) {
    const dir = pos[0];
    if (!dir) throw new InputError('give a run directory: cwrf analyze RUN_DIR');
    setThreads(cpus().length);
    const run = await loadRun(dir);
    const load = runLoadOptions(v, run);
    const auditDir = typeof v.audit === 'string' ? v.audit : join(dir, 'audit');
    if (!existsSync(join(auditDir, 'signals.safetensors'))) {
      io.err(`no audit in ${auditDir}: running one first`);
      await audit(run, { ...load, refs: numberFlag(v, 'refs', 8, { int: true, min: 2 }), out: auditDir, workers: numberFlag(v, 'workers', cpus().length, { int: true, min: 1 }) });
    }
    const progress = new Progress(io, 'step', 0);
    const sweep = listFlag(v, 'sweep') ?? [0.001, 0.003, 0.01, 0.03, 0.1];
    progress.grow(sweep.length + 6);
    const s = scoreFromFlags(v);
    const json = await analyze(run, {
      ...load,
      auditDir,
      ratio: numberFlag(v, 'ratio', CWRF_DEFAULTS.ratio, { min: 0, max: 1 }),
      sweep,
      stage: { ...s, ...(v.epochs !== undefined ? { epochs: numberFlag(v, 'epochs', 10, { int: true, min: 0 }) } : {}) },
      onStep: (w) => progress.tick(w),
    });
    const out = typeof v.out === 'string' ? v.out : join(dir, 'analyze');
    const html = await renderAnalyzeReport(json);
    await writeDirAtomic(out, async (tmp) => {
      await writeJsonAtomic(join(tmp, 'analyze.json'), json);
      await writeFileAtomic(join(tmp, 'analyze.html'), html);
    });
    const sh = json.concentration.topShare;
    io.log(`(i)   top 0.1/1/10% of weights hold ${(100 * sh['0.1%']).toFixed(1)}/${(100 * sh['1%']).toFixed(1)}/${(100 * sh['10%']).toFixed(1)}% of the PVE score`);
    io.log(`(ii)  PVE vs TFO: Pearson ${json.entanglement.pearson.toFixed(3)}, Spearman ${json.entanglement.spearman.toFixed(3)}`);
    for (const [t, e] of Object.entries(json.entanglement.perType))
      io.log(`(ii)  ${t.padEnd(10)} ${String(e.weights).padStart(9)} weights  Pearson ${e.pearson.toFixed(3)}  Spearman ${e.spearman.toFixed(3)}`);
    for (const r of [json.baseline, ...json.locationVsValue])
      io.log(`(iii) ${r.name.padEnd(40)} test acc ${r.testAccuracy.toFixed(3)}  LiRA AUC ${(r.attacks['lira-online-fixed']?.auc ?? NaN).toFixed(3)}`);
    const mv = json.movement;
    io.log(`(iv)  PVE vs |theta - theta0|: Spearman ${mv.spearman.toFixed(3)}; ${(100 * mv.leastMovedShare).toFixed(1)}% of the critical weights in the least-moved ${100 * mv.leastMovedFraction}%`);
    io.log(`page: ${join(out, 'analyze.html')}`);
    return json;
  },
};
