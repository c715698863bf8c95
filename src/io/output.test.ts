import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../util/errors.ts';
import { withTempDir, writeDirAtomic, writeFileAtomic } from './atomic.ts';
import { WriteError } from './fs-errors.ts';
import { isOwnOutput, prepareOutput, writeOutputMarker } from './output.ts';

const refused = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => e instanceof InputError && re.test(e.message) && !e.message.includes('\n'));

test('an existing non-empty directory is refused (naming what is in it), kept; an empty one or --force is accepted', async () => {
  await withTempDir((d) => {
    const out = join(d, 'R2');
    mkdirSync(out);
    assert.equal(prepareOutput({ path: out, kind: 'dir' }), 'new');
    writeFileSync(join(out, 'mine.txt'), 'x');
    refused(() => prepareOutput({ path: out, kind: 'dir' }), /--out .*R2 is a directory that is not empty \(1 entry: mine\.txt\): pick another --out, or pass --force/);
    assert.equal(prepareOutput({ path: out, kind: 'dir', force: true }), 'replace');
    assert.equal(readFileSync(join(out, 'mine.txt'), 'utf8'), 'x', 'a directory built aside is replaced only when it is committed');
    assert.equal(prepareOutput({ path: out, kind: 'dir', continues: () => true }), 'continue');
    assert.equal(prepareOutput({ path: out, kind: 'dir', force: true, incremental: true }), 'replace');
    assert.deepEqual(readdirSync(out), [], 'an incremental output is emptied before the work');
    assert.deepEqual(readdirSync(d), ['R2'], 'no probe left behind');
  });
});

test('files: a non-empty one is refused without --force, an empty one is not; kinds must match', async () => {
  await withTempDir((d) => {
    const f = join(d, 'l.npy');
    assert.equal(prepareOutput({ path: f, kind: 'file' }), 'new');
    writeFileSync(f, '');
    assert.equal(prepareOutput({ path: f, kind: 'file' }), 'new');
    writeFileSync(f, 'data');
    refused(() => prepareOutput({ path: f, kind: 'file', flag: '--onnx' }), /--onnx .*l\.npy already exists: pick another --onnx, or pass --force/);
    assert.equal(prepareOutput({ path: f, kind: 'file', force: true }), 'replace');
    refused(() => prepareOutput({ path: f, kind: 'dir', force: true }), /is a file, not a directory/);
    refused(() => prepareOutput({ path: d, kind: 'file', force: true }), /is a directory, not a file/);
  });
});

test('an output that is, contains or (notInside) lies in what the command reads is refused, even forced and through a symlink', async () => {
  await withTempDir((d) => {
    const run = join(d, 'runs', 'R');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'model.safetensors'), 'w');
    const inputs = [run, join(run, 'model.safetensors')];
    refused(() => prepareOutput({ path: run, kind: 'dir', force: true, inputs }), /is .*R, which this command reads/);
    refused(() => prepareOutput({ path: join(d, 'runs'), kind: 'dir', force: true, inputs }), /would replace .*R, which this command reads/);
    refused(() => prepareOutput({ path: join(run, 'model.safetensors'), kind: 'file', force: true, inputs }), /which this command reads/);
    refused(() => prepareOutput({ path: join(run, 'sub'), kind: 'dir', inputs, notInside: [run] }), /is inside .*R, which this command reads/);
    assert.equal(prepareOutput({ path: join(run, 'audit'), kind: 'dir', inputs }), 'new', 'an audit beside the run files is fine');
    symlinkSync(run, join(d, 'alias'));
    refused(() => prepareOutput({ path: join(d, 'alias'), kind: 'dir', force: true, inputs }), /which this command reads/);
  });
});

test('the place is probed before any work: missing parent of a file, a parent that is a file; parents of a directory are created', async () => {
  await withTempDir((d) => {
    refused(() => prepareOutput({ path: join(d, 'missing', 'l.npy'), kind: 'file' }), /cannot write .*missing\/l\.npy: directory .*missing does not exist/);
    writeFileSync(join(d, 'plain'), 'x');
    refused(() => prepareOutput({ path: join(d, 'plain', 'R'), kind: 'dir' }), /cannot write .*plain\/R: .*plain is not a directory/);
    assert.equal(prepareOutput({ path: join(d, 'a', 'b', 'R'), kind: 'dir' }), 'new');
    assert.ok(existsSync(join(d, 'a', 'b')) && !existsSync(join(d, 'a', 'b', 'R')));
    assert.deepEqual(readdirSync(join(d, 'a', 'b')), []);
  });
});

test("an output's marker says whose it is; outputs older than markers are recognised by their entries", async () => {
  await withTempDir(async (d) => {
    const out = join(d, 'bench');
    mkdirSync(join(out, 'seed0'), { recursive: true });
    const own = (n: string) => /^seed\d+$/.test(n);
    assert.equal(isOwnOutput(out, 'bench', 'k1', own), true, 'legacy layout');
    writeFileSync(join(out, 'mine.txt'), 'x');
    assert.equal(isOwnOutput(out, 'bench', 'k1', own), false);
    await writeOutputMarker(out, 'bench', 'k1');
    assert.equal(isOwnOutput(out, 'bench', 'k1', own), true);
    assert.equal(isOwnOutput(out, 'bench', 'k2', own), false, 'other settings');
    assert.equal(isOwnOutput(out, 'demo', 'k1', own), false, 'another command');
  });
});

test('a failed write names the path the user asked for, not a temp name, and leaves nothing half-written', async () => {
  await withTempDir(async (d) => {
    const final = join(d, 'R');
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    await assert.rejects(
      writeDirAtomic(final, () => Promise.reject(full)),
      (e: Error) => e instanceof WriteError && e.message === `cannot write ${final}: no space left on device`,
    );
    await assert.rejects(
      writeDirAtomic(final, (tmp) => writeFileAtomic(join(tmp, 'sub', 'model.safetensors'), 'x')),
      (e: Error) => e instanceof WriteError && e.message === `cannot write ${join(final, 'sub', 'model.safetensors')}: no such file or directory`,
    );
    assert.deepEqual(readdirSync(d), []);
  });
});
