// `cwrf tune` end to end on the synthetic dataset: bad input fails in one line before any training, and a small
// search writes tune.json, tune.html and the chosen run, which a rerun continues to the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadRun } from '../runs/run.ts';
import { InputError } from '../util/errors.ts';
import { tuneCommand } from './commands/tune.ts';
import { Flags, parseArgsOptions, type RawValues } from './flags.ts';
import { cwrfEnv } from '../util/_testing.ts';
import { assertOneLineError, runCli } from './_testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'cwrf-tune-'));
const env = cwrfEnv({ CWRF_CACHE_DIR: join(dir, 'cache') });
const cwrf = (...args: string[]) => runCli(env, ...args);
const run = join(dir, 'run');

/** A small tune: 2 candidates (rewind on the run), one rung of 2 references, fresh audits with 2. */
const SMALL_TUNE = ['--goal', 'lira:tpr@1%<=50%', '--max-accuracy-drop', '10', '--budget', '6models', '--space', 'method=rewind;objective=ce;ratio=0.001,0.01', '--max-refs', '2', '--workers', '1'];

test('tune: bad input is one line, exit 2, before any training, nothing written', async () => {
  const t = cwrf('train', '--dataset', 'synthetic', '--hidden', '32', '--epochs', '3', '--population', '400', '--out', run, '--quiet');
  assert.equal(t.code, 0, t.err);
  const out = join(dir, 'never');
  // through the CLI (exit code and stderr) ...
  assertOneLineError(cwrf('tune', join(dir, 'missing-run'), '--goal', 'lira:auc<=0.6', '--out', out), /not a cwrf run/);
  assertOneLineError(cwrf('tune', run, '--goal', 'lira:auc<=40%', '--out', out), /an AUC below 50% is not a privacy goal/);
  assertOneLineError(cwrf('tune', run, '--goal', 'lira:auc<=0.6', '--budget', '2models', '--out', out), /--budget '2models' is 2 models, less than one candidate costs \(3/);
  // ... and the command's other checks in this process (each an InputError: one line, exit 2 through the CLI)
  const rejects = async (args: string[], re: RegExp) => {
    // a small valid search first (the later flags win), so a check that failed to throw would train little
    const base = ['--max-refs', '2', '--budget', '3models', '--space', 'method=rewind;objective=ce;ratio=0.001', '--workers', '1'];
    const p = parseArgs({ args: [run, '--out', out, ...base, ...args], options: parseArgsOptions(tuneCommand.flags), allowPositionals: true, strict: true });
    const io = { json: false, quiet: true, log: () => undefined, err: () => undefined };
    await assert.rejects(tuneCommand.run(new Flags(tuneCommand.flags, p.values as RawValues), p.positionals, io), (e: Error) => e instanceof InputError && re.test(e.message) && !e.message.includes('\n'));
  };
  await rejects(['--goal', 'nope:auc<=0.6'], /unknown attack 'nope'/);
  await rejects(['--goal', 'lira:acc<=0.6'], /unknown metric 'acc'/);
  await rejects(['--goal', 'lira:auc<=0.6', '--objective-metric', 'rmia:auc'], /differs from --goal's metric/);
  await rejects(['--objective-metric', 'lira'], /expected ATTACK:METRIC/);
  await rejects(['--goal', 'lira:auc<=0.6', '--budget', 'soon'], /expected a number of models/);
  // a microsecond: no model trains that fast, so 0 models whatever the machine's speed
  await rejects(['--goal', 'lira:auc<=0.6', '--budget', '0.000001s'], /--budget '0.000001s' is 0 models, less than one candidate/);
  await rejects(['--goal', 'lira:auc<=0.6', '--space', 'depth=3'], /--space: unknown parameter 'depth' \(method, objective, ratio/);
  await rejects(['--goal', 'lira:auc<=0.6', '--space', 'method=nope'], /--space: method 'nope' is not one of cwrf/);
  await rejects(['--goal', 'lira:auc<=0.6', '--min-refs', '8', '--max-refs', '4'], /--min-refs 8 is above --max-refs 4/);
  await rejects(['--goal', 'lira:auc<=0.6', '--space', 'method=retrain;objective=ce'], /leaves no candidate/);
  await rejects(['--goal', 'lira:auc<=0.6', '--out', join(run, 'tune')], /is inside the run/);
  assert.equal(existsSync(out), false, 'no output directory');
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), []);
  assert.equal(existsSync(join(dir, 'cache')), false, 'no model trained');
});

test('tune: a small search writes tune.json, tune.html and the chosen run; a rerun continues to the same bytes', () => {
  const out = join(dir, 'tune');
  const first = cwrf('tune', run, ...SMALL_TUNE, '--out', out, '--json');
  assert.equal(first.code, 0, first.err);
  const j = JSON.parse(first.out);
  assert.equal(j.spaceSize, 2);
  assert.deepEqual(j.schedule, [{ candidates: 2, refs: 2 }]);
  assert.match(first.err, /rung 1\/1: rewind on ce \(ratio 0.001\) measured \(1\/2\); 1 left/);
  const tuneJson = readFileSync(join(out, 'tune.json'), 'utf8');
  assert.doesNotMatch(tuneJson, /"seconds"/, 'wall-clock times are kept out of tune.json');
  assert.ok(JSON.parse(readFileSync(join(out, 'timings.json'), 'utf8')).seconds > 0);
  assert.match(readFileSync(join(out, 'tune.html'), 'utf8'), /Verdict[\s\S]*Privacy-utility front/);
  assert.ok(j.chosen, 'a 10-point budget keeps some candidate');
  assert.equal(j.fresh[0].id, j.chosen);
  assert.ok(j.fresh.some((f: { id: string }) => f.id === 'undefended'));
  const chosen = join(out, 'chosen');
  assert.deepEqual(readFileSync(join(chosen, 'model.safetensors')), readFileSync(join(out, 'candidates', j.chosen, 'run', 'model.safetensors')));
  return loadRun(chosen).then(() => {
    const again = cwrf('tune', run, ...SMALL_TUNE, '--out', out, '--quiet');
    assert.equal(again.code, 0, again.err);
    assert.equal(readFileSync(join(out, 'tune.json'), 'utf8'), tuneJson, 'the same bytes');
    assert.equal(JSON.parse(readFileSync(join(out, 'timings.json'), 'utf8')).sessions.length, 2);
    assertOneLineError(cwrf('tune', run, ...SMALL_TUNE, '--seed', '1', '--out', out), /holds|not empty/);
  });
});

test('tune without a goal: the Pareto front and the lowest metric inside the accuracy budget, no goal verdict', () => {
  const out = join(dir, 'tune-front');
  const args = SMALL_TUNE.filter((_, i) => i > 1); // drop --goal and its value
  const r = cwrf('tune', run, '--objective-metric', 'lira:tpr@1%', ...args, '--out', out, '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.goal.max, undefined, 'no bound recorded');
  assert.equal(j.freshMeetsGoal, null, 'no goal to meet');
  assert.equal(j.searchMeetsGoal, null);
  const last = (c: { rungs: { accuracy: number; metric: number }[] }) => c.rungs.at(-1)!;
  const measured: { id: string; rungs: { accuracy: number; metric: number }[] }[] = j.candidates.filter((c: { rungs: unknown[] }) => c.rungs.length);
  // the front: no measured candidate beats a front member on both accuracy and the metric
  assert.ok(j.front.length >= 1);
  for (const id of j.front) {
    const a = last(measured.find((c) => c.id === id)!);
    assert.ok(!measured.some((c) => c.id !== id && last(c).accuracy >= a.accuracy && last(c).metric <= a.metric && (last(c).accuracy > a.accuracy || last(c).metric < a.metric)), `${id} is dominated`);
  }
  // the choice: the lowest metric among the candidates inside the budget
  const floor = j.baseValidationAccuracy - j.maxAccuracyDrop;
  const inBudget = measured.filter((c) => last(c).accuracy >= floor);
  assert.ok(inBudget.length >= 1 && j.chosen);
  const chosen = last(measured.find((c) => c.id === j.chosen)!);
  assert.equal(chosen.metric, Math.min(...inBudget.map((c) => last(c).metric)));
  assert.doesNotMatch(r.err + readFileSync(join(out, 'tune.html'), 'utf8'), /meets the goal|does not meet the goal/);
  assert.match(r.err, /rung 1\/1/);
});
