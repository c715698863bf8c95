// `cwrf audit`: reference models, attacks, metrics and a report for a run (or for a signals file).
import { join } from 'node:path';
import { ATTACK_NAMES, DEFAULT_RESAMPLES, type AttackName } from '../../attacks/index.ts';
import { attackSignals, audit, bestAudited, DEFAULT_DELTA, isLiraDir, readLiraDir, readSignals, summarizeAttacks, writeSignals, type AttackSummary, type EpsilonSummary } from '../../audit/index.ts';
import { checkCacheWritable, loadRun, runInputs } from '../../runs/index.ts';
import { writeDirAtomic, writeJsonAtomic } from '../../io/atomic.ts';
import { InputError } from '../../util/errors.ts';
import { fewRefsNote, renderAuditReport, STRONG_ATTACKER_REFS } from '../../report/index.ts';
import { COMMON, DATA, outFlag, THREADS, type Command, type OptionTable } from '../command.ts';
import { threadsFromFlags, workersFromFlags } from '../thread-flags.ts';
import type { Flags } from '../flags.ts';
import { runLoadOptions } from '../data-flags.ts';
import { Progress } from '../progress.ts';
import { QUEUE_FLAGS, withQueue } from '../queue-flags.ts';
import { prepareOut } from '../output.ts';

/** --attacks a,b,c (default: all). */
export function attacksFlag(f: Flags): AttackName[] | undefined {
  const raw = f.opt<string>('attacks');
  if (raw === undefined) return undefined;
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!ATTACK_NAMES.includes(n as AttackName)) throw new InputError(`--attacks: unknown attack '${n}' (${ATTACK_NAMES.join(', ')})`);
  return names as AttackName[];
}

export function rmiaAFlag(f: Flags): number | 'tune' {
  const raw = f.opt<string>('rmia-a');
  return raw === undefined || raw === 'tune' ? 'tune' : f.with<number>('rmia-a', { type: 'number', min: 0, max: 1, description: '' });
}

export const AUDIT_FLAGS = {
  refs: { type: 'int', min: 2, default: 8, description: 'reference models (each replays the recipe, defenses included)' },
  workers: { type: 'int', min: 1, defaultText: '$CWRF_WORKERS, else the number of CPU cores', description: 'reference models trained at once (child processes)' },
  attacks: { type: 'string', value: 'A,B,...', defaultText: 'all', description: `attacks to run, comma-separated: ${ATTACK_NAMES.join(', ')}` },
  'leave-one-out': { type: 'boolean', description: 'also attack every reference model in turn (mean and std)' },
  'audit-seed': { type: 'int', min: 0, default: 0, description: "seed of the reference models' seeds and member halves" },
  'ref-block': {
    type: 'int',
    min: 2,
    defaultText: 'one block of --refs',
    description: 'nested design: references in balanced blocks of this size, so audits with more references reuse the first ones (e.g. 8 for 8/16/32/64)',
  },
  'rmia-a': { type: 'string', value: 'tune|X', default: 'tune', description: 'RMIA offline a in [0, 1], or tune it on a paired reference' },
  queries: {
    type: 'choice',
    choices: ['1', '2', '18'],
    defaultText: '2 on image datasets, else 1',
    description: 'LiRA queries per example: the image; + its mirror; mirror x shifts {-4,0,4}^2 (RMIA and thresholds use the image)',
  },
  bootstrap: { type: 'int', min: 1, default: DEFAULT_RESAMPLES, description: 'bootstrap resamples of the 95% intervals of AUC and TPR (seeded by --audit-seed)' },
  delta: { type: 'number', min: 0, max: 0.5, defaultText: "the run's DP-SGD delta, else 1e-5", description: 'delta of the audited epsilon (the lower bound on epsilon the attacks support)' },
  ...QUEUE_FLAGS,
} satisfies OptionTable;

/** One console line of an attack's metrics with their 95% intervals. */
export function attackLine(a: AttackSummary): string {
  const m = a.metrics;
  const iv = a.intervals;
  const range = (x: { low: number; high: number } | undefined) => (x ? ` [${x.low.toFixed(4)}, ${x.high.toFixed(4)}]` : '');
  const eps = a.auditedEpsilon ? `  eps >= ${a.auditedEpsilon.epsilon.toFixed(2)}` : '';
  return `${a.name.padEnd(20)} AUC ${m.auc.toFixed(4)}${range(iv?.auc)}  TPR@0.1%FPR ${m.tprAt0_1pct.toFixed(4)}${range(iv?.tprAt0_1pct.exact)}  TPR@1%FPR ${m.tprAt1pct.toFixed(4)}${range(iv?.tprAt1pct.exact)}${eps}`;
}

/** The audited epsilon in one line, beside the accountant's where the run has one. */
export function epsilonLine(e: EpsilonSummary): string {
  const a = `audited epsilon >= ${e.audited.epsilon.toFixed(2)} (${e.audited.attack}, delta ${e.audited.delta}, ${e.audited.level * 100}% confidence)`;
  return e.accounted ? `${a}; accounted epsilon <= ${e.accounted.epsilon.toFixed(2)} (delta ${e.accounted.delta}; covers ${e.accounted.covers})` : a;
}

/** --queries 1|2|18 (default: 2 for image datasets, 1 otherwise). */
export function queriesFlag(f: Flags): number | undefined {
  const q = f.opt<string>('queries');
  return q === undefined ? undefined : Number(q);
}

export const auditCommand: Command = {
  summary: 'attack a run with LiRA, RMIA and threshold attacks; write metrics, signals and a report',
  usage: 'cwrf audit RUN_DIR [--refs 8] [--out RUN_DIR/audit]   |   cwrf audit --signals FILE --out DIR',
  examples: [
    'cwrf audit runs/loc --refs 8 --out runs/loc/audit',
    'cwrf audit runs/loc-cwrf --refs 8 --compare runs/loc/audit',
    'cwrf audit runs/loc --attacks lira-online-fixed,rmia-online,loss --leave-one-out',
    'cwrf audit --signals exported.safetensors --out audit-py',
    'cwrf audit --signals exp/cifar10 --out audit-lira   # LiRA layout: <model>/keep.npy, <model>/logits/*.npy, y_train.npy',
    'cwrf audit runs/loc --refs 64 --queue redis://127.0.0.1:6379   (with `cwrf worker --queue ...` on other machines)',
  ],
  flags: {
    ...COMMON,
    ...DATA,
    ...AUDIT_FLAGS,
    ...THREADS,
    ...outFlag('RUN_DIR/audit'),
    signals: {
      type: 'string',
      value: 'FILE|DIR',
      description: "attack a signals file, or a folder in LiRA's reference layout, instead of a run (needs --out)",
    },
    labels: { type: 'string', value: 'FILE', defaultText: 'DIR/y_train.npy', description: 'labels of a LiRA-layout --signals folder' },
    target: { type: 'int', min: 0, defaultText: "the file's target; a LiRA folder's last model", description: 'row of the attacked model in --signals' },
    compare: { type: 'string', value: 'DIR', multiple: true, description: 'earlier audit directory to overlay in the report' },
  },
  async run(f, pos, io) {
    const attacks = attacksFlag(f);
    const rmiaA = rmiaAFlag(f);
    const signals = f.opt<string>('signals');
    const out = f.opt<string>('out');
    if (signals !== undefined) {
      if (out === undefined) throw new InputError('--out DIR is required with --signals');
      const labels = f.opt<string>('labels');
      prepareOut(f, { path: out, kind: 'dir', inputs: [signals, ...(labels !== undefined ? [labels] : [])] });
      const target = f.opt<number>('target');
      const s = isLiraDir(signals)
        ? readLiraDir(signals, { labels, target })
        : { ...(await readSignals(signals)), ...(target !== undefined ? { target } : {}) };
      const { results, leaveOneOut } = attackSignals(s, { attacks, leaveOneOut: f.get('leave-one-out', false), rmiaA });
      const n = s.labels.length;
      const u = { resamples: f.get<number>('bootstrap'), delta: f.opt<number>('delta') ?? DEFAULT_DELTA, seed: f.get<number>('audit-seed') };
      const summaries = summarizeAttacks(results, s.inclusion.subarray(s.target * n, (s.target + 1) * n), u);
      const json = { format: 'cwrf-audit/1', source: signals, attacks: summaries, epsilon: { audited: bestAudited(summaries, u.delta) }, leaveOneOut };
      await writeDirAtomic(out, async (tmp) => {
        await writeSignals(join(tmp, 'signals.safetensors'), s, results);
        await writeJsonAtomic(join(tmp, 'audit.json'), json);
      });
      for (const a of summaries) io.log(attackLine(a));
      return json;
    }
    const dir = pos[0];
    if (!dir) throw new InputError('give a run directory (cwrf audit RUN_DIR) or --signals FILE');
    if (pos.length > 1) throw new InputError(`unexpected argument '${pos[1]}'`);
    const run = await loadRun(dir);
    const refs = f.get<number>('refs');
    const outDir = out ?? join(dir, 'audit');
    const compare = f.opt<string[]>('compare') ?? [];
    prepareOut(f, { path: outDir, kind: 'dir', inputs: [...runInputs(dir), ...compare] });
    checkCacheWritable();
    const progress = new Progress(io, 'reference models', refs);
    const json = await withQueue(f, io, (executor) => audit(run, {
      ...runLoadOptions(f, run),
      executor,
      refs,
      out: outDir,
      workers: workersFromFlags(f),
      threads: threadsFromFlags(f),
      attacks,
      leaveOneOut: f.get('leave-one-out', false),
      seed: f.get<number>('audit-seed'),
      rmiaA,
      queries: queriesFlag(f),
      resamples: f.get<number>('bootstrap'),
      delta: f.opt<number>('delta'),
      refBlock: f.opt<number>('ref-block'),
      compare,
      render: renderAuditReport,
      onReference: (_d, _t, r) => (r.cached ? progress.skip('(cached)') : progress.tick(`(${r.seconds.toFixed(1)}s, test acc ${r.testAccuracy.toFixed(3)})`)),
    }));
    io.log(`target: train acc ${json.target.trainAccuracy.toFixed(4)}, test acc ${json.target.testAccuracy.toFixed(4)}`);
    for (const a of json.attacks) io.log(attackLine(a));
    if (json.epsilon) io.log(epsilonLine(json.epsilon));
    if (json.settings.refs < STRONG_ATTACKER_REFS) io.err(`note: ${fewRefsNote(json.settings.refs)}`);
    io.log(`report: ${join(outDir, 'report.html')}`);
    return json;
  },
};
