// `cwrf audit`: reference models, attacks, metrics and a report for a run (or for a signals file).
import { join } from 'node:path';
import { ATTACK_NAMES, type AttackName } from '../../attacks/index.ts';
import { attackSignals, audit, loadRun, readSignals, writeSignals } from '../../experiments/index.ts';
import { writeDirAtomic, writeJsonAtomic } from '../../io/atomic.ts';
import { InputError } from '../../util/errors.ts';
import { COMMON, DATA, numberFlag, type Command, type Values } from '../command.ts';
import { threadsFromFlags, workersFromFlags } from '../thread-flags.ts';
import { runLoadOptions } from '../data-flags.ts';
import { Progress } from '../progress.ts';

/** --attacks a,b,c (default: all). */
export function attacksFlag(v: Values): AttackName[] | undefined {
  if (v.attacks === undefined) return undefined;
  const names = String(v.attacks).split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!ATTACK_NAMES.includes(n as AttackName)) throw new InputError(`--attacks: unknown attack '${n}' (${ATTACK_NAMES.join(', ')})`);
  return names as AttackName[];
}

export function rmiaAFlag(v: Values): number | 'tune' {
  return v['rmia-a'] === undefined || v['rmia-a'] === 'tune' ? 'tune' : numberFlag(v, 'rmia-a', 0.3, { min: 0, max: 1 });
}

export const AUDIT_FLAGS = {
  refs: { type: 'string' },
  workers: { type: 'string' },
  threads: { type: 'string' },
  attacks: { type: 'string' },
  'leave-one-out': { type: 'boolean' },
  'audit-seed': { type: 'string' },
  'rmia-a': { type: 'string' },
} as const;

export const auditCommand: Command = {
  summary: 'attack a run with LiRA, RMIA and threshold attacks; write metrics, signals and a report',
  usage: 'cwrf audit RUN_DIR [--refs 8] [--out RUN_DIR/audit]   |   cwrf audit --signals FILE --out DIR',
  examples: [
    'cwrf audit runs/loc --refs 8 --out runs/loc/audit',
    'cwrf audit runs/loc-cwrf --refs 8 --compare runs/loc/audit',
    'cwrf audit runs/loc --attacks lira-online-fixed,rmia-online,loss --leave-one-out',
    'cwrf audit --signals exported.safetensors --out audit-py',
  ],
  options: { ...COMMON, ...DATA, ...AUDIT_FLAGS, out: { type: 'string', short: 'o' }, signals: { type: 'string' }, compare: { type: 'string', multiple: true } },
  async run(v, pos, io) {
    const attacks = attacksFlag(v);
    const rmiaA = rmiaAFlag(v);
    if (typeof v.signals === 'string') {
      if (typeof v.out !== 'string') throw new InputError('--out DIR is required with --signals');
      const s = await readSignals(v.signals);
      const { results, leaveOneOut } = attackSignals(s, { attacks, leaveOneOut: Boolean(v['leave-one-out']), rmiaA });
      const json = { format: 'cwrf-audit/1', source: v.signals, attacks: results.map((r) => ({ name: r.name, metrics: r.metrics })), leaveOneOut };
      await writeDirAtomic(v.out, async (tmp) => {
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
    const refs = numberFlag(v, 'refs', 8, { int: true, min: 2 });
    const out = typeof v.out === 'string' ? v.out : join(dir, 'audit');
    const progress = new Progress(io, 'reference models', refs);
    const json = await audit(run, {
      ...runLoadOptions(v, run),
      refs,
      out,
      workers: workersFromFlags(v),
      threads: threadsFromFlags(v),
      attacks,
      leaveOneOut: Boolean(v['leave-one-out']),
      seed: numberFlag(v, 'audit-seed', 0, { int: true, min: 0 }),
      rmiaA,
      compare: (v.compare as string[] | undefined) ?? [],
      onReference: (_d, _t, r) => (r.cached ? progress.skip('(cached)') : progress.tick(`(${r.seconds.toFixed(1)}s, test acc ${r.testAccuracy.toFixed(3)})`)),
    });
    io.log(`target: train acc ${json.target.trainAccuracy.toFixed(4)}, test acc ${json.target.testAccuracy.toFixed(4)}`);
    for (const a of json.attacks)
      io.log(`${a.name.padEnd(20)} AUC ${a.metrics.auc.toFixed(4)}  TPR@0.1%FPR ${a.metrics.tprAt0_1pct.toFixed(4)}  TPR@1%FPR ${a.metrics.tprAt1pct.toFixed(4)}`);
    io.log(`report: ${join(out, 'report.html')}`);
    return json;
  },
};
