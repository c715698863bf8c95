// `cwrf bench`: the privacy-utility table on a dataset (markdown + HTML), resumable.
import { cpus } from 'node:os';
import { join } from 'node:path';
import { bench, benchDefenses } from '../../experiments/index.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../io/atomic.ts';
import { benchMarkdown, renderAuditReport, renderBenchReport } from '../../report/index.ts';
import { COMMON, DATA, outFlag, THREADS, type Command } from '../command.ts';
import { threadsFromFlags, workersFromFlags } from '../thread-flags.ts';
import { loadOptionsFromFlags } from '../data-flags.ts';
import { Progress } from '../progress.ts';
import { RECIPE_FLAGS, recipeFromFlags } from '../recipe-flags.ts';
import { QUEUE_FLAGS, withQueue } from '../queue-flags.ts';
import { AUDIT_FLAGS } from './audit.ts';
import { mkdirSync } from 'node:fs';

export const benchCommand: Command = {
  summary: 'privacy-utility table of every defense (3 seeds, adaptive audits); markdown + HTML',
  usage: 'cwrf bench --dataset location [--seeds 0,1,2] [--refs 8] [--rows none,relaxloss,...] [--out bench/location]',
  examples: ['cwrf bench --dataset location --data-dir ../shared/data --out bench-out/location'],
  flags: {
    ...COMMON,
    ...DATA,
    ...RECIPE_FLAGS,
    refs: AUDIT_FLAGS.refs,
    workers: AUDIT_FLAGS.workers,
    ...THREADS,
    ...QUEUE_FLAGS,
    seeds: { type: 'int-list', min: 0, default: [0, 1, 2], description: 'seeds (one base model and audit per seed and row)' },
    'ft-epochs': { type: 'int', min: 0, default: 10, description: 'fine-tuning epochs of the stage rows' },
    rows: { type: 'string', value: 'ROW,ROW,...', defaultText: 'all', description: 'rows to run (slugs of the row names)' },
    ...outFlag('bench-out/DATASET'),
  },
  async run(f, _pos, io) {
    const base = recipeFromFlags(f);
    const out = f.opt<string>('out') ?? join('bench-out', base.dataset.replace(/[^a-z0-9-]/gi, '_'));
    const seeds = f.get<number[]>('seeds');
    const rowsFlag = f.opt<string>('rows');
    const only = rowsFlag !== undefined ? rowsFlag.split(',').map((x) => x.trim()).filter(Boolean) : undefined;
    const progress = new Progress(io, 'step', seeds.length * (only?.length ?? benchDefenses(base.dataset).length) * 2);
    const t0 = performance.now();
    const rows = await withQueue(f, (executor) => bench(base, {
      executor,
      ...loadOptionsFromFlags(f),
      out,
      seeds,
      refs: f.get<number>('refs'),
      workers: workersFromFlags(f),
      threads: threadsFromFlags(f),
      ftEpochs: f.get<number>('ft-epochs'),
      render: renderAuditReport,
      onStep: (w) => progress.tick(w),
      ...(only ? { only } : {}),
    }));
    const minutes = (performance.now() - t0) / 60000;
    const md = benchMarkdown(rows);
    const cmd = `cwrf bench ${process.argv.slice(3).join(' ')}`;
    const doc = [
      `# Privacy-utility benchmark: ${base.dataset}`,
      '',
      `Command: \`${cmd}\``,
      `Machine: ${cpus()[0]?.model ?? '?'} x${cpus().length}, Node ${process.version}. Wall time ${minutes.toFixed(1)} min (finished runs are reused).`,
      `Recipe: ${base.model.arch} ${JSON.stringify(base.model)}, ${base.optimizer.name} lr ${base.optimizer.lr}, ${base.epochs} epochs, batch ${base.batchSize}${base.augment ? `, augment ${[base.augment.flip && 'flip', base.augment.crop && `crop (pad ${base.augment.pad})`].filter(Boolean).join(' + ')}` : ''}${base.normalize ? ', per-channel normalisation' : ''}. Seeds ${seeds.join(', ')}; ${f.get<number>('refs')} reference models per audit, each replaying the defense (adaptive attacker). LiRA = online, fixed variance; RMIA = online. Values are mean ± std over seeds, in %.`,
      '',
      md,
      '',
    ].join('\n');
    mkdirSync(out, { recursive: true });
    await writeFileAtomic(join(out, 'bench.md'), doc);
    await writeJsonAtomic(join(out, 'bench.json'), { command: cmd, rows });
    await writeFileAtomic(join(out, 'bench.html'), await renderBenchReport(rows, `cwrf bench: ${base.dataset}`, cmd));
    io.log(doc);
    io.log(`files: ${join(out, 'bench.md')}, ${join(out, 'bench.html')}`);
    return { rows };
  },
};
