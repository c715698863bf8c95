// The shared-data lookup of the tests: CWRF_SHARED_DATA points at a folder or hides it ('none'); a missing file
// gives a one-line skip reason naming the file and where it was looked for, or an error when the data is required.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sharedDataDir, sharedFile, tempDir, writeTree } from './test-helpers.ts';

const tmp = tempDir('cwrf-shared-lookup-');
const saved = { dir: process.env.CWRF_SHARED_DATA, require: process.env.CWRF_REQUIRE_SHARED_DATA };
after(() => {
  tmp.cleanup();
  for (const [k, v] of [['CWRF_SHARED_DATA', saved.dir], ['CWRF_REQUIRE_SHARED_DATA', saved.require]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

test('sharedFile: found in $CWRF_SHARED_DATA; hidden by none; a missing file or folder is a one-line reason, or an error when required', () => {
  delete process.env.CWRF_REQUIRE_SHARED_DATA;
  writeTree(tmp.dir, { 'location/dataset_location.tgz': 'x' });
  process.env.CWRF_SHARED_DATA = tmp.dir;
  assert.equal(sharedDataDir(), tmp.dir);
  assert.deepEqual(sharedFile('location/dataset_location.tgz'), { dir: tmp.dir, skip: false });

  const missing = sharedFile('cifar10-jpeg/cifar10-jpeg.tar.gz');
  assert.equal(missing.dir, null);
  assert.equal(missing.skip, `needs cifar10-jpeg/cifar10-jpeg.tar.gz, not found in ${tmp.dir} (CWRF_SHARED_DATA)`);

  process.env.CWRF_SHARED_DATA = join(tmp.dir, 'nope');
  assert.equal(sharedDataDir(), null, 'a folder that is not there is not replaced by another');
  assert.match(String(sharedFile('location/dataset_location.tgz').skip), /^needs location\/dataset_location\.tgz, not found in .*nope \(CWRF_SHARED_DATA\)$/);

  process.env.CWRF_SHARED_DATA = 'none';
  assert.equal(sharedDataDir(), null);
  const hidden = sharedFile('location/dataset_location.tgz');
  assert.equal(hidden.skip, 'needs location/dataset_location.tgz, not looked for: CWRF_SHARED_DATA=none hides the shared data');

  process.env.CWRF_REQUIRE_SHARED_DATA = '1';
  assert.throws(() => sharedFile('location/dataset_location.tgz'), /^Error: CWRF_REQUIRE_SHARED_DATA=1: this test needs location\/dataset_location\.tgz/);
  process.env.CWRF_SHARED_DATA = tmp.dir;
  assert.equal(sharedFile('location/dataset_location.tgz').skip, false, 'required and present: runs');
});
