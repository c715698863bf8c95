import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { withTempDir } from '../io/atomic.ts';
import { digestFile } from '../io/verified.ts';
import { setNoticeSink } from '../util/notice.ts';
import { readRefEntry, writeRefEntry, type RefOutput } from './cache.ts';

const entry: RefOutput = { logits: new Float32Array(600).map((_, i) => Math.sin(i)), classes: 3, queries: 1, trainAccuracy: 0.9, testAccuracy: 0.7, seconds: 1.5, threads: 1 };

test('a cache entry whose bytes changed (same size) is reported once, discarded and missed; an entry older than digests is trusted once and its digest written', async () => {
  await withTempDir(async (d) => {
    const lines: string[] = [];
    setNoticeSink((l) => lines.push(l));
    const f = join(d, 'models', 'k.safetensors');
    await writeRefEntry(f, entry);
    assert.deepEqual((await readRefEntry(f, 1))?.logits, entry.logits);
    const bytes = readFileSync(f);
    const flipped = Buffer.from(bytes);
    for (let i = bytes.length - 1500; i < bytes.length - 1000; i++) flipped[i] ^= 0x55; // 500 bytes of logits
    writeFileSync(f, flipped);
    assert.equal(await readRefEntry(f, 1), null);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], new RegExp(`cache entry ${f} is damaged \\(its bytes hash to [0-9a-f]{12}\\.\\.\\., recorded [0-9a-f]{12}\\.\\.\\.\\): discarded, recomputing it`));
    assert.equal(existsSync(f), false, 'discarded');
    assert.equal(existsSync(digestFile(f)), false);

    writeFileSync(f, bytes); // as written before digests existed
    assert.deepEqual((await readRefEntry(f, 1))?.logits, entry.logits);
    assert.ok(existsSync(digestFile(f)), 'the digest is written when the entry is first trusted');
    writeFileSync(f, flipped);
    assert.equal(await readRefEntry(f, 1), null, 'and it is checked from then on');
    assert.equal(lines.length, 1, 'each entry is reported once per process');
  });
});
