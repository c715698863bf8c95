// `cwrf audit`: reference models, attacks, metrics and a report for a run (or for a signals file).
import { join } from 'node:path';
import { ATTACK_NAMES, type AttackName } from '../../attacks/index.ts';
import { attackSignals, audit, checkCacheWritable, isLiraDir, loadRun, readLiraDir, readSignals, runInputs, writeSignals } from '../../experiments/index.ts';
import { writeDirAtomic, writeJsonAtomic } from '../../io/atomic.ts';
import { InputError } from '../../util/errors.ts';
import { renderAuditReport } from '../../report/index.ts';
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
  'rmia-a': { type: 'string', value: 'tune|X', default: 'tune', description: 'RMIA offline a in [0, 1], or tune it on a paired reference' },
  queries: {
    type: 'choice',
    choices: ['1', '2', '18'],
    defaultText: '2 on image datasets, else 1',
    description: 'LiRA queries per example: the image; + its mirror; mirror x shifts {-4,0,4}^2 (RMIA and thresholds use the image)',
  },
  ...QUEUE_FLAGS,
} satisfies OptionTable;

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
      const json = { format: 'cwrf-audit/1', source: signals, attacks: results.map((r) => ({ name: r.name, metrics: r.metrics })), leaveOneOut };
      await writeDirAtomic(out, async (tmp) => {
        await writeSignals(join(tmp, 'signals.safetensors'), s, results);
        await writeJsonAtomic(join(tmp, 'audit.json'), json);
      });
      for (const r of results) io.log(`${r.name.padEnd(20)} AUC ${r.metrics.auc.toFixed(4)}  TPR@0.1%FPR ${r.metrics.tprAt0_1pct.toFixed(4)}  TPR@1%FPR ${r.metrics.tprAt1pct.toFixed(4)}`);
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
      compare,
      render: renderAuditReport,
      onReference: (_d, _t, r) => (r.cached ? progress.skip('(cached)') : progress.tick(`(${r.seconds.toFixed(1)}s, test acc ${r.testAccuracy.toFixed(3)})`)),
    }));
    io.log(`target: train acc ${json.target.trainAccuracy.toFixed(4)}, test acc ${json.target.testAccuracy.toFixed(4)}`);
    for (const a of json.attacks)
      io.log(`${a.name.padEnd(20)} AUC ${a.metrics.auc.toFixed(4)}  TPR@0.1%FPR ${a.metrics.tprAt0_1pct.toFixed(4)}  TPR@1%FPR ${a.metrics.tprAt1pct.toFixed(4)}`);
    io.log(`report: ${join(outDir, 'report.html')}`);
    return json;
  },
};
