// `cwrf tune` killed with SIGKILL in the middle of its search, then rerun: it continues and writes tune.json with
// the same bytes as an uninterrupted search (each with its own cache, so neither reuses the other's models).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cwrfEnv } from '../util/_testing.ts';
import { BIN, runCli } from './_testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'cwrf-tune-resume-'));
const run = join(dir, 'run');
const TUNE = ['--goal', 'lira:tpr@1%<=20%', '--max-accuracy-drop', '10', '--budget', '16models', '--space', 'method=rewind,cwrf;objective=ce,relaxloss;alpha=1;ratio=0.01;epochs=1;lr-factor=1', '--max-refs', '4', '--workers', '1', '--quiet'];

/** Whether some candidate of `out` has finished its defended run. */
function someCandidate(out: string): boolean {
  const c = join(out, 'candidates');
  return existsSync(c) && readdirSync(c).some((id) => existsSync(join(c, id, 'run', 'run.json')));
}

test('tune killed with SIGKILL mid-search continues on a rerun to the same tune.json bytes as an uninterrupted one', async () => {
  const env = (cache: string) => cwrfEnv({ CWRF_CACHE_DIR: join(dir, cache) });
  const t = runCli(env('cache-a'), 'train', '--dataset', 'synthetic', '--hidden', '32', '--epochs', '3', '--population', '400', '--out', run, '--quiet');
  assert.equal(t.code, 0, t.err);

  const killed = join(dir, 'killed');
  const child = spawn(process.execPath, [BIN, 'tune', run, ...TUNE, '--out', killed], { env: env('cache-a'), stdio: 'ignore', detached: true });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const t0 = Date.now();
  while (!someCandidate(killed) && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 100));
  assert.ok(someCandidate(killed), 'a candidate finished within 2 minutes');
  process.kill(-child.pid!, 'SIGKILL'); // the tune and its reference workers
  assert.equal(await exited, 'SIGKILL');
  assert.equal(existsSync(join(killed, 'tune.json')), false, 'killed before the end');

  const resumed = runCli(env('cache-a'), 'tune', run, ...TUNE, '--out', killed);
  assert.equal(resumed.code, 0, resumed.err);
  const whole = join(dir, 'whole');
  const once = runCli(env('cache-b'), 'tune', run, ...TUNE, '--out', whole);
  assert.equal(once.code, 0, once.err);
  assert.equal(readFileSync(join(killed, 'tune.json'), 'utf8'), readFileSync(join(whole, 'tune.json'), 'utf8'));
  assert.deepEqual(readFileSync(join(killed, 'chosen', 'model.safetensors')), readFileSync(join(whole, 'chosen', 'model.safetensors')));
});
