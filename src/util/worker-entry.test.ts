import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workerEntry } from './worker-entry.ts';

test('worker entry: the .ts source through tsx in a checkout, the compiled .js as is', () => {
  const src = workerEntry('file:///pkg/src/experiments/refs.ts', 'worker');
  assert.equal(src.file, '/pkg/src/experiments/worker.ts');
  assert.equal(src.execArgv[0], '--import');
  assert.match(src.execArgv[1], /^file:\/\/.*\/node_modules\/tsx\//);
  assert.deepEqual(workerEntry('file:///pkg/dist/experiments/refs.js', 'worker'), { file: '/pkg/dist/experiments/worker.js', execArgv: [] });
});
