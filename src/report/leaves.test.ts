// Leaves stay leaves: importing the report or the attacks does not load the native addon or libtorch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Shared objects the process has loaded after importing `modules` (and, as a control, the engine). */
function loadedAfter(modules: string[]): string[] {
  const code = `for (const m of ${JSON.stringify(modules)}) await import(m);
    const libs = process.report.getReport().sharedObjects;
    console.log(JSON.stringify(libs.filter((l) => /torch|\\.node$/.test(l))));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as string[];
}

test('importing src/report and src/attacks loads neither libtorch nor the addon; the engine does', () => {
  assert.deepEqual(loadedAfter(['./src/report/index.ts', './src/attacks/index.ts']), []);
  assert.ok(
    loadedAfter(['./src/engine/index.ts']).some((l) => /torch/.test(l)),
    'control: the engine loads libtorch',
  );
});
