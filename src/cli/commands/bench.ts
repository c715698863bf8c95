// `cwrf bench`: the privacy-utility table on a dataset (markdown + HTML), resumable, with a partial table
// written after every finished row.
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { CWRF_DEFAULTS, cwrfStage } from '../../defenses/index.ts';
import { bench, benchDefenses, benchPlan, checkRefCounts, datasetFamily, parseGrid, planHours, selectDefenses, slug, DP_EPOCH_FACTOR, type BenchDefense, type BenchResult, type SweepParam } from '../../studies/index.ts';
import { checkCacheWritable } from '../../runs/index.ts';
import type { Recipe } from '../../train/index.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../io/atomic.ts';
import { benchComplete, benchDoc, refsDoc, renderAuditReport, renderBenchReport, renderRefsReport } from '../../report/index.ts';
import { InputError } from '../../util/errors.ts';
import { COMMON, DATA, outFlag, THREADS, type Command, type Io } from '../command.ts';
import { threadsFromFlags, workersFromFlags } from '../thread-flags.ts';
import type { Flags } from '../flags.ts';
import { loadOptionsFromFlags } from '../data-flags.ts';
import { Progress } from '../progress.ts';
import { RECIPE_FLAGS, recipeFromFlags } from '../recipe-flags.ts';
import { QUEUE_FLAGS, withQueue } from '../queue-flags.ts';
import { AUDIT_FLAGS, queriesFlag } from './audit.ts';
import { prepareOut, prepareResumableOut } from '../output.ts';
import { benchParamsFromFlags } from '../bench-params-flags.ts';

/** What a bench directory holds: one folder per seed, and the table. */
const BENCH_ENTRIES = /^seed\d+$|^bench\.(md|json|html)$/;

/** Whether `file` is a page bench wrote (so --doc may rewrite it). */
function isBenchDoc(file: string): boolean {
  try {
    const text = readFileSync(file, 'utf8');
    return text.startsWith('# Privacy-utility benchmark: ') || text.startsWith('# Reference-count study: ');
  } catch {
    return false;
  }
}

const SWEEP_PARAMS: SweepParam[] = ['ratio', 'lambda'];

export const benchCommand: Command = {
  summary: 'privacy-utility table of every defense (several seeds, adaptive audits); markdown + HTML; resumable',
  usage:
    'cwrf bench --dataset location|cifar10-jpeg [--model M] [--seeds 0,1,2] [--refs 8] [--rows none,relaxloss,...] [--sweep ratio,lambda] [--queries 2] [--collect] [--doc docs/bench-X.md] [--notes FILE] [--out bench-out/X]',
  examples: [
    'cwrf bench --dataset location --data-dir ../shared/data --out bench-out/location',
    'cwrf bench --dataset cifar10-jpeg --model resnet20 --population 10000 --data-dir ../shared/data --doc docs/bench-cifar10.md',
    'cwrf bench --dataset cifar10-jpeg --model resnet18 --population 30000 --data-dir ../shared/data --sweep ratio,lambda',
    'cwrf bench --dataset cifar10-jpeg --collect --doc docs/bench-cifar10.md   # the table of what is finished, marked partial',
    "cwrf bench --dataset cifar10-jpeg --model smallcnn --rows ccl,ccl-cwrf --ccl-alpha 0.02   # a defense's own flags set its rows, named after the setting",
    'cwrf bench --dataset cifar10-jpeg --model resnet20 --population 10000 --plan --epoch-seconds 30   # the work it needs, and hours',
  ],
  flags: {
    ...COMMON,
    ...DATA,
    ...RECIPE_FLAGS,
    refs: {
      type: 'int-list',
      min: 2,
      default: [8],
      description:
        'reference models per audit; several ascending counts (multiples of the first, e.g. 8,16,32,64) make a reference-count study: every cell audited at each count in a nested design (shared models), LiRA online and offline and RMIA, and a page of how the metrics and the ranking change',
    },
    workers: AUDIT_FLAGS.workers,
    ...THREADS,
    ...QUEUE_FLAGS,
    seeds: { type: 'int-list', min: 0, defaultText: '0,1,2 (tabular), 0,1 (images)', description: 'seeds (one base model and audit per seed and row)' },
    'ft-epochs': { type: 'int', min: 0, defaultText: "the model family's (10; image ResNets/WRN: a fifth of --epochs)", description: 'fine-tuning epochs of the stage rows' },
    'pve-lr': {
      type: 'number',
      min: 0,
      defaultText: "SGD with a step/multistep schedule: the rate training ends with; else the recipe's rate",
      description: "learning rate of PVE's updated copy in the CWRF rows",
    },
    'ft-lr': {
      type: 'number',
      min: 0,
      defaultText: "the recipe's learning rate",
      description: 'initial learning rate of the fine-tune in the CWRF and fine-tune-all rows (cosine-annealed)',
    },
    rows: { type: 'string', value: 'ROW,ROW,...', defaultText: 'all of the dataset family', description: 'rows to run (slugs of the row names)' },
    sweep: { type: 'string', value: 'ratio,lambda', description: 'also run the sensitivity sweep of RelaxLoss + CWRF and CCL + CWRF over these parameters' },
    grid: {
      type: 'string',
      value: 'ratio=..;epochs=..;lr=..',
      multiple: true,
      description: "trade-off grid of the CWRF rows: every combination of the listed rewind ratios, fine-tune epochs and learning rates ('recipe' = the recipe's), each with its control (the same fine-tune, nothing rewound); repeat for several grids",
    },
    'grid-rows': { type: 'string', value: 'ROW,ROW,...', default: 'relaxloss-cwrf', description: 'the CWRF rows --grid varies (slugs of the row names)' },
    queries: AUDIT_FLAGS.queries,
    collect: { type: 'boolean', description: 'only gather finished rows into the table (marked partial); train nothing' },
    plan: { type: 'boolean', description: 'print the training work the table needs (and its hours with --epoch-seconds); run nothing' },
    'epoch-seconds': { type: 'number', min: 0, description: 'measured seconds per training epoch, for --plan' },
    speedup: { type: 'number', min: 0.01, default: 1.68, description: 'parallel speedup of the workers, for --plan (npm run bench:audit: 1.68 for 2)' },
    doc: { type: 'string', value: 'FILE.md', description: 'also write the table there (and FILE.html beside it)' },
    notes: { type: 'string', value: 'FILE', description: 'markdown placed verbatim under the settings of the page' },
    ...outFlag('bench-out/DATASET'),
  },
  async run(f, _pos, io) {
    const { recipeFlags, params } = benchParamsFromFlags(f);
    const base = recipeFromFlags(recipeFlags);
    const family = datasetFamily(base.dataset);
    const out = f.opt<string>('out') ?? join('bench-out', base.dataset.replace(/[^a-z0-9-]/gi, '_'));
    const seeds = f.get<number[]>('seeds', family === 'image' ? [0, 1] : [0, 1, 2]);
    const only = f.opt<string>('rows')?.split(',').map((x) => x.trim()).filter(Boolean);
    const sweep = f.opt<string>('sweep')?.split(',').map((x) => x.trim()).filter(Boolean);
    for (const p of sweep ?? []) if (!SWEEP_PARAMS.includes(p as SweepParam)) throw new InputError(`--sweep: unknown parameter '${p}' (ratio, lambda)`);
    const queries = queriesFlag(f) ?? (family === 'image' ? 2 : 1);
    const refCounts = checkRefCounts(f.get<number[]>('refs'));
    const study = refCounts.length > 1;
    const refs = refCounts.at(-1)!;
    const ftEpochs = f.opt<number>('ft-epochs');
    const ftShown = cwrfStage('cwrf', ftEpochs === undefined ? {} : { epochs: ftEpochs }, base).epochs;
    const grid = f.opt<string[]>('grid')?.map(parseGrid);
    const gridRows = f.opt<string[]>('grid') ? gridRowNames(base.dataset, f.get<string>('grid-rows')) : undefined;
    const opts = { only, ftEpochs, pveLr: f.opt<number>('pve-lr'), ftLr: f.opt<number>('ft-lr'), sweep: sweep as SweepParam[] | undefined, grid, gridRows, params };
    const planned = selectDefenses(base.dataset, opts);
    if (f.get<boolean>('plan')) return printPlan(planned, seeds.length, refs, base, queries, f, io);
    const doc = f.opt<string>('doc');
    const collect = Boolean(f.get<boolean>('collect'));
    if (doc !== undefined) {
      for (const page of [doc, `${doc.replace(/\.md$/, '')}.html`]) prepareOut(f, { path: page, kind: 'file', parents: true, flag: '--doc', continues: () => isBenchDoc(doc) });
    }
    await prepareResumableOut(f, 'bench', out, base, (n) => BENCH_ENTRIES.test(n));
    if (!collect) checkCacheWritable();
    const progress = new Progress(io, 'step', seeds.length * planned.length * (1 + refCounts.length));
    const cmd = `cwrf bench ${process.argv.slice(3).filter((a) => a !== '--collect').join(' ')}`;
    const t0 = performance.now();
    const load0 = loadavg()[0];
    const defaults = { ratio: CWRF_DEFAULTS.ratio, lambda: CWRF_DEFAULTS.pve.lambda };
    const notesFile = f.opt<string>('notes');
    const notes = notesFile !== undefined ? [readNotes(notesFile)] : undefined;
    const machine = () => `${cpus()[0]?.model ?? '?'} x${cpus().length}, Node ${process.version}; load average ${load0.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} now (shared machine)`;
    const recipeText = `Recipe: ${base.model.arch} ${JSON.stringify(base.model)}, ${base.optimizer.name} ${JSON.stringify(base.optimizer)}, schedule ${JSON.stringify(base.schedule)}, ${base.epochs} epochs, batch ${base.batchSize}, population ${base.split.populationSize ?? 'all'} (each model trains on a seeded half), test set ${base.split.testSize ?? 'default'}${recipeExtras(base)}.`;
    const pages = async (result: BenchResult, minutes: number): Promise<{ md: string; html: string }> => {
      if (study) {
        const complete = benchComplete(result);
        const md = refsDoc({ dataset: base.dataset, command: cmd, machine: machine(), minutes, recipe: recipeText, complete, planned: result.planned, rows: result.rows });
        return { md, html: await renderRefsReport(result.rows, `cwrf bench --refs: ${base.dataset}${complete ? '' : ' (partial)'}`, cmd) };
      }
      const md = benchDoc({
        dataset: base.dataset,
        family,
        command: cmd,
        machine: machine(),
        minutes,
        recipe: recipeText,
        settings: `Seeds ${seeds.join(', ')}; ${refs} reference models per audit, each replaying the defense (adaptive attacker). LiRA = online, fixed variance, ${describeQueries(result, queries)}; RMIA = online; loss threshold = threshold-free AUC. CWRF = PVE (lambda ${defaults.lambda}${opts.pveLr !== undefined ? `, copy's learning rate ${opts.pveLr}` : ''}), top ${defaults.ratio * 100}% rewound to init and frozen, ${ftShown} fine-tune epochs with the base's objective${opts.ftLr !== undefined ? ` from learning rate ${opts.ftLr}` : ''} (cosine-annealed). Values are mean ± std over seeds, in %. Cost = the defense's own wall time over the base model's training time.`,
        result,
        defaults,
        notes,
      });
      return { md, html: await renderBenchReport(result.rows, `cwrf bench: ${base.dataset}${benchComplete(result) ? '' : ' (partial)'}`, cmd, defaults) };
    };
    const write = async (result: BenchResult) => {
      const { md, html } = await pages(result, (performance.now() - t0) / 60000);
      mkdirSync(out, { recursive: true });
      await writeFileAtomic(join(out, 'bench.md'), md);
      await writeJsonAtomic(join(out, 'bench.json'), { command: cmd, complete: benchComplete(result), ...result });
      await writeFileAtomic(join(out, 'bench.html'), html);
      if (doc !== undefined) {
        mkdirSync(dirname(doc), { recursive: true });
        await writeFileAtomic(doc, md);
        await writeFileAtomic(doc.replace(/\.md$/, '') + '.html', html);
      }
      return md;
    };
    const result = await withQueue(f, io, (executor) => bench(base, {
      executor,
      ...loadOptionsFromFlags(f),
      out,
      seeds,
      refs,
      ...(study ? { refCounts } : {}),
      workers: workersFromFlags(f),
      threads: threadsFromFlags(f),
      render: renderAuditReport,
      ...opts,
      queries,
      collect,
      onStep: (w) => progress.tick(w),
      onSkip: (d, seed, why) => {
        if (seed === null) io.err(`row '${d}' left out of the table: ${why}`);
      },
      onRow: async (sofar) => {
        if (!collect) await write(sofar);
      },
    }));
    const md = await write(result);
    io.log(md);
    io.log(`files: ${join(out, 'bench.md')}, ${join(out, 'bench.html')}${doc !== undefined ? `, ${doc}` : ''}`);
    return result;
  },
};

function describeQueries(r: BenchResult, asked: number): string {
  const used = [...new Set(r.rows.map((x) => x.queries ?? 1))];
  if (!used.length) return `${asked} ${asked === 1 ? 'query' : 'queries'} asked`;
  const s = used.join('/');
  return used.length === 1 && used[0] === asked ? `${s} ${asked === 1 ? 'query' : 'queries'} per example` : `${s} query per example (asked ${asked}: the audit of this build does not support more)`;
}

/** `--plan`: the training work the table needs (and, with --epoch-seconds, its wall time); runs nothing. */
function printPlan(rows: BenchDefense[], seeds: number, refs: number, base: Recipe, queries: number, f: Flags, io: Io) {
  const population = base.split.populationSize;
  if (!population) throw new InputError('--plan needs --population (the members per model set the scoring and evaluation cost)');
  const test = base.split.testSize ?? 10000;
  const p = benchPlan(rows, seeds, refs, base, { members: Math.floor(population / 2), population, test, queries });
  const epochSeconds = f.opt<number>('epoch-seconds');
  const speedup = f.get<number>('speedup');
  const hours = epochSeconds === undefined ? undefined : planHours(p, epochSeconds, speedup);
  io.log(`${rows.length} rows x ${seeds} seeds, ${refs} references each: ${p.trainings} base trainings, ${p.stages} defense stages (${p.scorings} scorings)`);
  io.log(`training epochs: ${p.epochs} plain + ${p.dpEpochs} DP-SGD (x${DP_EPOCH_FACTOR}) + epoch-equivalents of scoring ${p.scoreEpochs.toFixed(0)} and of evaluation ${p.evalEpochs.toFixed(0)} (${queries} queries, ${test} test images)`);
  if (hours !== undefined) io.log(`at ${epochSeconds} s per epoch and a parallel speedup of ${speedup}: ${hours.toFixed(1)} h`);
  return { ...p, ...(hours !== undefined ? { hours } : {}) };
}

/** The row names of `--grid-rows` slugs, checked against the family's CWRF rows. */
function gridRowNames(dataset: string, slugs: string): string[] {
  const cwrfRows = benchDefenses(dataset).filter((d) => d.stage && / \+ CWRF$/.test(d.name));
  return slugs.split(',').map((x) => x.trim()).filter(Boolean).map((s) => {
    const row = cwrfRows.find((d) => slug(d.name) === s);
    if (!row) throw new InputError(`--grid-rows: unknown row '${s}' (${cwrfRows.map((d) => slug(d.name)).join(', ')})`);
    return row.name;
  });
}

/** `--notes FILE`: markdown placed verbatim under the settings (measured choices, cost estimate). */
function readNotes(file: string): string {
  if (!existsSync(file)) throw new InputError(`--notes: no file ${file}`);
  return readFileSync(file, 'utf8').trim();
}

/** Recipe fields beyond the common ones (augmentation, normalisation, output release, ...), for the page. */
function recipeExtras(r: Recipe): string {
  const common = new Set(['dataset', 'split', 'model', 'optimizer', 'schedule', 'objective', 'dp', 'epochs', 'batchSize', 'seed', 'memberSeed', 'defenses']);
  const extra = Object.entries(r).filter(([k, v]) => !common.has(k) && v !== undefined);
  return extra.map(([k, v]) => `, ${k} ${JSON.stringify(v)}`).join('');
}
