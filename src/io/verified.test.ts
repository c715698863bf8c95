import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { withTempDir } from './atomic.ts';
import { digestFile, readVerified, readVerifiedSync, removeVerified, sha256Hex, writeVerified, writeVerifiedSync } from './verified.ts';

test('a verified file reads back verified; flipped bytes of the same size are a mismatch; no digest is unverified', async () => {
  await withTempDir(async (d) => {
    const f = join(d, 'entry.safetensors');
    const data = new Uint8Array(4096).map((_, i) => (i * 31) & 0xff);
    await writeVerified(f, data);
    assert.equal(readFileSync(digestFile(f), 'utf8'), `${sha256Hex(data)}\n`);
    assert.equal((await readVerified(f)).state, 'verified');
    const bad = Buffer.from(data);
    for (let i = 1000; i < 1500; i++) bad[i] ^= 0xff;
    writeFileSync(f, bad);
    const r = await readVerified(f);
    assert.equal(r.state, 'mismatch');
    assert.equal(readVerifiedSync(f).state, 'mismatch');
    rmSync(digestFile(f));
    assert.equal((await readVerified(f)).state, 'unverified');
    assert.equal((await readVerified(join(d, 'none'))).state, 'missing');
    writeVerifiedSync(f, [data.subarray(0, 10), data.subarray(10)]);
    assert.equal(readVerifiedSync(f).state, 'verified');
    removeVerified(f);
    assert.deepEqual([existsSync(f), existsSync(digestFile(f))], [false, false]);
  });
});
