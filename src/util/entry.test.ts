import { test } from 'node:test';
import assert from 'node:assert/strict';
import { siblingEntry } from './entry.ts';

test('a forked entry resolves to the source through tsx, or to the compiled file with no loader', () => {
  assert.deepEqual(siblingEntry('file:///repo/src/references/pool.ts', 'reference-child'), {
    file: '/repo/src/references/reference-child.ts',
    execArgv: ['--import', import.meta.resolve('tsx')],
  });
  assert.match(import.meta.resolve('tsx'), /^file:\/\/.*\/node_modules\/tsx\//);
  assert.deepEqual(siblingEntry('file:///repo/dist/references/pool.js', 'reference-child'), {
    file: '/repo/dist/references/reference-child.js',
    execArgv: [],
  });
});
