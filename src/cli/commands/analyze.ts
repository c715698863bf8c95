// `cwrf analyze`: the paper's three insights on a run, as numbers (analyze.json) and a page (analyze.html).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, ANALYZE_PARTS, type AnalyzePart } from '../../studies/index.ts';
import { audit } from '../../audit/index.ts';
import { checkCacheWritable, loadRun, runInputs } from '../../runs/index.ts';
import { writeDirAtomic, writeFileAtomic, writeJsonAtomic } from '../../io/atomic.ts';
import { renderAnalyzeReport, renderAuditReport } from '../../report/index.ts';
import { InputError } from '../../util/errors.ts';
import { COMMON, DATA, outFlag, THREADS, type Command } from '../command.ts';
import { threadsFromFlags, workersFromFlags } from '../thread-flags.ts';
import { runLoadOptions } from '../data-flags.ts';
import { SCORE_FLAGS, scoreFromFlags } from '../defense-flags.ts';
import { STAGE_OPTIONS } from '../../defenses/index.ts';
import { Progress } from '../progress.ts';
import { AUDIT_FLAGS } from './audit.ts';
import { prepareOut } from '../output.ts';

export const analyzeCommand: Command = {
  summary: "reproduce the paper's three insights on a run (concentration, entanglement, location vs value)",
  usage: 'cwrf analyze RUN_DIR [--ratio 0.001] [--sweep 0.001,0.003,0.01,0.03,0.1] [--accuracy-only] [--out RUN_DIR/analyze]',
  examples: ['cwrf analyze runs/loc', 'cwrf analyze runs/loc --ratio 0.03 --lambda 0.5 --iters 20 --json', 'cwrf analyze runs/vit --accuracy-only --epochs 4'],
  flags: {
    ...COMMON,
    ...DATA,
    ...SCORE_FLAGS,
    ratio: STAGE_OPTIONS.ratio,
    epochs: STAGE_OPTIONS.epochs,
    refs: AUDIT_FLAGS.refs,
    workers: AUDIT_FLAGS.workers,
    ...THREADS,
    sweep: { type: 'list', min: 0, max: 1, default: [0.001, 0.003, 0.01, 0.03, 0.1], description: 'ratios of the concentration sweep' },
    audit: { type: 'string', value: 'DIR', defaultText: 'RUN_DIR/audit (run first when missing)', description: 'audit of the run to use' },
    skip: { type: 'string', value: 'sweep,location', defaultText: 'nothing', description: 'parts left out to bound the cost (recorded as skipped): the rewind sweep, location vs value' },
    'accuracy-only': { type: 'boolean', description: 'no audit and no attacks (no reference models to train): accuracies and weight statistics only' },
    ...outFlag('RUN_DIR/analyze'),
  },
  async run(f, pos, io) {
    const dir = pos[0];
    if (!dir) throw new InputError('give a run directory: cwrf analyze RUN_DIR');
    const threads = threadsFromFlags(f);
    const run = await loadRun(dir);
    const load = runLoadOptions(f, run);
    const accuracyOnly = Boolean(f.get<boolean>('accuracy-only'));
    if (accuracyOnly && f.has('audit')) throw new InputError('--accuracy-only runs no attacks: drop --audit');
    const auditDir = accuracyOnly ? undefined : (f.opt<string>('audit') ?? join(dir, 'audit'));
    const skip = (f.opt<string>('skip') ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    for (const p of skip) if (!(ANALYZE_PARTS as readonly string[]).includes(p)) throw new InputError(`--skip: unknown part '${p}' (${ANALYZE_PARTS.join(', ')})`);
    const out = f.opt<string>('out') ?? join(dir, 'analyze');
    prepareOut(f, { path: out, kind: 'dir', inputs: [...runInputs(dir), ...(auditDir !== undefined ? [auditDir] : [])] });
    if (auditDir !== undefined && !existsSync(join(auditDir, 'signals.safetensors'))) {
      prepareOut(f, { path: auditDir, kind: 'dir', inputs: runInputs(dir), flag: '--audit' });
      checkCacheWritable();
      io.err(`no audit in ${auditDir}: running one first`);
      await audit(run, { ...load, refs: f.get<number>('refs'), out: auditDir, workers: workersFromFlags(f), threads, render: renderAuditReport });
    }
    const progress = new Progress(io, 'step', 0);
    const sweep = f.get<number[]>('sweep');
    progress.grow((skip.includes('sweep') ? 0 : sweep.length) + (skip.includes('location') ? 0 : 7) + 2);
    const s = scoreFromFlags(f);
    const json = await analyze(run, {
      ...load,
      auditDir,
      ratio: f.get<number>('ratio'),
      sweep,
      skip: skip as AnalyzePart[],
      stage: { ...s, ...(f.has('epochs') ? { epochs: f.get<number>('epochs') } : {}) },
      onStep: (w) => progress.tick(w),
    });
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
      io.log(`(iii) ${r.name.padEnd(40)} test acc ${r.testAccuracy.toFixed(3)}${auditDir === undefined ? '' : `  LiRA AUC ${(r.attacks['lira-online-fixed']?.auc ?? NaN).toFixed(3)}`}`);
    const mv = json.movement;
    io.log(`(iv)  PVE vs |theta - theta0|: Spearman ${mv.spearman.toFixed(3)}; ${(100 * mv.leastMovedShare).toFixed(1)}% of the critical weights in the least-moved ${100 * mv.leastMovedFraction}%`);
    io.log(`page: ${join(out, 'analyze.html')}`);
    return json;
  },
};
