import { describe, test } from 'node:test';

import { withTempDir } from './atomic.ts';
import { pythonSkipReason, runPythonInterop } from './safetensors.samples.ts';

describe('safetensors interop with python safetensors.torch (all dtypes incl. BF16)', () => {
  test('torch reads our files, we read its files, identical bytes', { skip: pythonSkipReason('torch') }, async () => {
    await withTempDir((dir) => runPythonInterop(dir, 'torch'));
  });
});
