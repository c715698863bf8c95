// End-to-end checks of the command line: bad input fails with one line and exit 2; a small
// train -> audit -> defend -> audit round trip on the synthetic dataset writes complete, readable outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cwrfEnv } from '../util/_testing.ts';
import { assertOneLineError as oneLineError } from './_testing.ts';

const BIN = fileURLToPath(new URL('../../bin/cwrf.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cwrf-cli-'));
// The caller's cwrf variables (data dir, cache, checkpoint interval, debug) do not reach the CLI under test.
const env = cwrfEnv({ CWRF_CACHE_DIR: join(dir, 'cache') });

function cwrf(...args: string[]) {
  return cwrfWith(env, ...args);
}
function cwrfWith(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}


test('bad usage and bad input: one line, exit 2, nothing written', () => {
  assert.equal(cwrf('--help').code, 0);
  assert.match(cwrf('train', '--help').out, /examples:/);
  oneLineError(cwrf('nope'), /unknown command 'nope'/);
  oneLineError(cwrf('train', '--bogus'), /Unknown option '--bogus'/);
  const out = join(dir, 'never');
  oneLineError(cwrf('train', '--dataset', 'location', '--epochs', 'ten', '--out', out), /--epochs: 'ten' is not a number/);
  oneLineError(cwrf('train', '--dataset', 'location', '--data-dir', join(dir, 'empty'), '--out', out), /dataset_location\.tgz.*927203f85a86/);
  oneLineError(cwrf('train', '--dataset', 'nosuch', '--out', out), /nosuch/);
  oneLineError(cwrf('train', '--dataset', 'synthetic:n=100,noise=2', '--out', out), /'synthetic:n=100,noise=2': noise must be a number in \[0, 1\), got '2'/);
  oneLineError(cwrf('train', '--dataset', 'synthetic:rows=5', '--out', out), /unknown parameter 'rows'/);
  const csv = join(dir, 'bad.csv');
  writeFileSync(csv, '0,1.5,2\n1,NaN,3\n0,1,1\n1,2,2\n');
  oneLineError(cwrf('train', '--dataset', `csv:${csv}`, '--out', out), /NaN|not a finite|non-finite/i);
  const corrupt = join(dir, 'dataset_location.tgz');
  writeFileSync(corrupt, 'not a gzip archive');
  oneLineError(cwrf('train', '--dataset', 'location', '--data-dir', dir, '--out', out), /dataset_location\.tgz/);
  oneLineError(cwrf('audit', join(dir, 'missing-run')), /not a cwrf run/);
  oneLineError(
    cwrfWith({ ...env, CWRF_CHECKPOINT_SECONDS: 'abc' }, 'train', '--dataset', 'synthetic', '--epochs', '1', '--out', out),
    /CWRF_CHECKPOINT_SECONDS must be a number/,
  );
  oneLineError(cwrf('epsilon', '--sample-rate', '2', '--noise-multiplier', '1', '--steps', '10', '--delta', '1e-5'), /sample-rate must be <= 1/);
  assert.equal(existsSync(out), false, 'no output directory left behind');
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), []);
});

test('train -> audit -> defend -> audit on the synthetic dataset (small model, few epochs): the attacks find members', () => {
  const run = join(dir, 'loc');
  const common = ['--quiet'];
  const t = cwrf('train', '--dataset', 'synthetic', '--hidden', '256', '--epochs', '20', '--population', '1000', '--out', run, '--json', ...common);
  assert.equal(t.code, 0, t.err);
  const trained = JSON.parse(t.out);
  assert.equal(trained.metrics.members, 500);
  for (const f of ['run.json', 'init.safetensors', 'model.safetensors', 'split.safetensors']) assert.ok(existsSync(join(run, f)), f);
  const recipe = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')).recipe;
  assert.deepEqual(recipe.model.hidden, [256]);
  assert.equal(recipe.epochs, 20);
  assert.equal(recipe.dataset, 'synthetic');

  const a = cwrf('audit', run, '--refs', '2', '--workers', '2', '--attacks', 'lira-online-fixed,rmia-online,loss', '--json', ...common);
  assert.equal(a.code, 0, a.err);
  const audit = JSON.parse(a.out);
  assert.deepEqual(audit.attacks.map((x: { name: string }) => x.name), ['lira-online-fixed', 'rmia-online', 'loss']);
  for (const x of audit.attacks) assert.ok(x.metrics.auc > 0.5 && x.metrics.auc <= 1, `${x.name} AUC ${x.metrics.auc}`);
  // the flipped labels are memorised: RMIA tells members apart (0.76 with these seeds)
  assert.ok(audit.attacks[1].metrics.auc > 0.6, `rmia-online AUC ${audit.attacks[1].metrics.auc}`);
  for (const f of ['audit.json', 'signals.safetensors', 'report.html']) assert.ok(existsSync(join(run, 'audit', f)), f);
  const again = cwrf('audit', run, '--refs', '2', '--attacks', 'loss', '--out', join(dir, 'audit2'), '--json', ...common);
  assert.ok(JSON.parse(again.out).references.every((r: { cached: boolean }) => r.cached), 'second audit reuses the references');

  const d = cwrf('defend', run, '--method', 'cwrf', '--ratio', '0.01', '--epochs', '1', '--iters', '3', '--out', join(dir, 'loc-cwrf'), '--json', ...common);
  assert.equal(d.code, 0, d.err);
  const defended = JSON.parse(d.out);
  assert.equal(defended.recipe.defenses[0].method, 'cwrf');
  assert.equal(defended.metrics.stages.length, 1);
  const a2 = cwrf('audit', join(dir, 'loc-cwrf'), '--refs', '2', '--attacks', 'lira-online-fixed,rmia-online,loss', '--compare', join(run, 'audit'), '--json', ...common);
  assert.equal(a2.code, 0, a2.err);
  assert.match(readFileSync(join(dir, 'loc-cwrf', 'audit', 'report.html'), 'utf8'), /down from|up from|unchanged|no measurable difference/);

  const sig = cwrf('audit', '--signals', join(run, 'audit', 'signals.safetensors'), '--out', join(dir, 'resig'), '--attacks', 'loss', '--json', '--quiet');
  assert.equal(sig.code, 0, sig.err);
  assert.equal(JSON.parse(sig.out).attacks[0].metrics.auc, audit.attacks[2].metrics.auc);
  const loo = cwrf('audit', '--signals', join(run, 'audit', 'signals.safetensors'), '--out', join(dir, 'loo'), '--attacks', 'loss', '--leave-one-out', '--json', '--quiet');
  assert.equal(loo.code, 0, loo.err);
  const l = JSON.parse(loo.out).leaveOneOut.loss;
  assert.equal(l.targets, 3);
  assert.ok(l.std.auc >= 0 && l.mean.auc > 0.4, JSON.stringify(l));
});

test('analyze on the small synthetic run; bench resumes and refuses runs made with other settings', () => {
  const common = ['--quiet'];
  const an = cwrf('analyze', join(dir, 'loc'), '--sweep', '0.001,0.01', '--iters', '3', '--epochs', '1', '--json', ...common);
  assert.equal(an.code, 0, an.err);
  const j = JSON.parse(an.out);
  assert.deepEqual(j.concentration.sweep.map((s: { ratio: number }) => s.ratio), [0.001, 0.01]);
  assert.ok(j.concentration.topShare['1%'] > 0.01 && j.concentration.topShare['10%'] <= 1, JSON.stringify(j.concentration.topShare));
  assert.ok(Math.abs(j.entanglement.spearman) <= 1);
  assert.equal(j.locationVsValue.length, 7);
  assert.deepEqual(Object.keys(j.entanglement.perType).sort(), ['bias', 'linear']);
  assert.ok(Math.abs(j.movement.spearman) <= 1 && j.movement.leastMovedShare >= 0 && j.movement.leastMovedShare <= 1, JSON.stringify(j.movement));
  assert.match(readFileSync(join(dir, 'loc', 'analyze', 'analyze.html'), 'utf8'), /Location, not value[\s\S]*least moved from init/);
  const acc = cwrf('analyze', join(dir, 'loc'), '--accuracy-only', '--skip', 'sweep', '--iters', '3', '--epochs', '1', '--out', join(dir, 'loc-acc'), '--json', ...common);
  assert.equal(acc.code, 0, acc.err);
  const ja = JSON.parse(acc.out);
  assert.equal(ja.audit, null);
  assert.deepEqual([ja.skipped, ja.concentration.sweep], [['sweep'], []]);
  assert.deepEqual(ja.locationVsValue.map((v: { attacks: object }) => v.attacks), Array(7).fill({}));
  assert.equal(ja.entanglement.perType.linear.weights, j.entanglement.perType.linear.weights);
  assert.ok(ja.baseline.testAccuracy > 0.1, JSON.stringify(ja.baseline));
  oneLineError(cwrf('analyze', join(dir, 'loc'), '--accuracy-only', '--audit', join(dir, 'loc', 'audit'), ...common), /--accuracy-only runs no attacks/);
  oneLineError(cwrf('analyze', join(dir, 'loc'), '--skip', 'sweep,scores', ...common), /--skip: unknown part 'scores' \(sweep, location\)/);

  const out = join(dir, 'bench');
  const b = ['bench', '--dataset', 'synthetic', '--hidden', '32', '--epochs', '2', '--population', '600', '--seeds', '0', '--refs', '2', '--rows', 'none,relaxloss-cwrf', '--out', out, ...common];
  const first = cwrf(...b, '--ft-epochs', '1', '--json');
  assert.equal(first.code, 0, first.err);
  assert.deepEqual(JSON.parse(first.out).rows.map((r: { defense: string }) => r.defense), ['none', 'RelaxLoss + CWRF']);
  assert.match(readFileSync(join(out, 'bench.md'), 'utf8'), /\| RelaxLoss \+ CWRF \|/);
  oneLineError(cwrf(...b, '--ft-epochs', '2'), /holds a run with other settings than this command asks for/);
  oneLineError(cwrf(...b, '--rows', 'nonsense'), /unknown bench row 'nonsense'/);
});

test('bench --refs 2,4: a reference-count study in a nested design, its page, and bad counts refused', () => {
  const out = join(dir, 'bench-refs');
  const doc = join(dir, 'docs', 'bench-refs.md');
  const b = ['bench', '--dataset', 'synthetic', '--hidden', '32', '--epochs', '2', '--population', '600', '--seeds', '0', '--rows', 'none', '--quiet'];
  // its own cache: the bench above cached this table's first two references, and this study times the ones it trains
  const r = cwrfWith({ ...env, CWRF_CACHE_DIR: join(dir, 'cache-refs') }, ...b, '--refs', '2,4', '--out', out, '--doc', doc, '--json');
  assert.equal(r.code, 0, r.err);
  const rows = JSON.parse(r.out).rows as { refs: number; attacks: Record<string, unknown>; secondsPerReference?: number }[];
  assert.deepEqual(rows.map((x) => x.refs), [2, 4]);
  assert.deepEqual(Object.keys(rows[0].attacks).sort(), ['lira-offline', 'lira-offline-fixed', 'lira-online', 'lira-online-fixed', 'loss', 'rmia-online']);
  // the 2-reference audit may find its models cached by an earlier test; the 4-reference one trains two more
  assert.ok((rows[1].secondsPerReference ?? 0) > 0, JSON.stringify(rows[1].secondsPerReference));
  // the 4-reference audit reuses the 2-reference audit's models (its first block) and trains two more
  const a4 = JSON.parse(readFileSync(join(out, 'seed0', 'ce-2', 'audit-refs4', 'audit.json'), 'utf8')) as { references: { cached: boolean }[] };
  assert.deepEqual(a4.references.map((x) => x.cached), [true, true, false, false]);
  const md = readFileSync(doc, 'utf8');
  assert.ok(md.startsWith('# Reference-count study: synthetic\n'), md.slice(0, 80));
  assert.match(md, /\| lira-offline \| AUC \| – \| – \| none \|/); // one defense: no ranking to compare
  assert.ok(existsSync(doc.replace(/\.md$/, '.html')));
  oneLineError(cwrf(...b, '--refs', '4,6', '--out', join(dir, 'bench-refs-bad')), /--refs 4,6: 6 is not a multiple of 4/);
  oneLineError(cwrf(...b, '--refs', '8,4', '--out', join(dir, 'bench-refs-bad')), /--refs 8,4: the counts must be ascending/);
  assert.ok(!existsSync(join(dir, 'bench-refs-bad')));
});

test('bench on images: the issue-14 row set, GPU-size flags accepted; --collect writes a partial table naming what is left out', () => {
  const out = join(dir, 'bench-img');
  const doc = join(dir, 'docs', 'bench-cifar10.md');
  const r = cwrf('bench', '--dataset', 'cifar10-jpeg', '--model', 'resnet18', '--population', '30000', '--sweep', 'ratio,lambda', '--collect', '--out', out, '--doc', doc, '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(j.rows, []);
  assert.ok(j.missing.some((m: { defense: string; seed: number }) => m.defense === 'RelaxLoss + CWRF [lambda 0.9]' && m.seed === 1));
  const md = readFileSync(doc, 'utf8');
  assert.match(md, /\(partial\)[\s\S]*Status: \*\*partial\*\*[\s\S]*Continue/);
  assert.doesNotMatch(md, /Continue[^\n]*--collect/, 'the continue command trains');
  assert.ok(existsSync(doc.replace(/md$/, 'html')));
  oneLineError(cwrf('bench', '--dataset', 'cifar10-jpeg', '--sweep', 'ratio,depth', '--collect', '--out', out), /--sweep: unknown parameter 'depth'/);
  oneLineError(cwrf('bench', '--dataset', 'cifar10-jpeg', '--queries', '3', '--collect', '--out', out), /--queries: '3' is not one of 1, 2, 18/);});

test("bench: a defense's own flags set its rows (named after the setting), --objective and --release are refused, a bad setting is a one-line error", () => {
  const out = join(dir, 'bench-params');
  const r = cwrf('bench', '--dataset', 'cifar10-jpeg', '--rows', 'ccl,ccl-cwrf,hamp', '--ccl-alpha', '0.02', '--target-epsilon', '4', '--collect', '--out', out, '--json');
  assert.equal(r.code, 0, r.err);
  const missing = (JSON.parse(r.out) as { missing: { defense: string }[] }).missing.map((m) => m.defense);
  assert.deepEqual([...new Set(missing)], ['CCL (alpha 0.02)', 'CCL (alpha 0.02) + CWRF', 'HAMP']);
  oneLineError(cwrf('bench', '--dataset', 'cifar10-jpeg', '--objective', 'ccl', '--collect', '--out', out), /--objective does not apply to bench: every row trains its own defense/);
  oneLineError(cwrf('bench', '--dataset', 'cifar10-jpeg', '--release', 'hamp', '--collect', '--out', out), /--release does not apply to bench/);
  oneLineError(cwrf('bench', '--dataset', 'cifar10-jpeg', '--ccl-alpha', '2', '--collect', '--out', out), /alpha/);
});
