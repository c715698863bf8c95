import assert from 'node:assert/strict';
import { existsSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import {
  commitDirAtomic,
  makeTempDirBeside,
  removeStaleTempDirs,
  withTempDir,
  writeDirAtomic,
  writeFileAtomic,
  writeJsonAtomic,
} from './atomic.ts';

const DEAD_PID = 99999999; // above Linux's pid_max (2^22), so never a running process

async function ls(dir: string): Promise<string[]> {
  return (await fsp.readdir(dir)).sort();
}

describe('writeFileAtomic', () => {
  test('writes strings, bytes and chunk lists; overwrites; leaves no temp files', async () => {
    await withTempDir(async (dir) => {
      const p = join(dir, 'a.txt');
      await writeFileAtomic(p, 'héllo');
      assert.equal(await fsp.readFile(p, 'utf8'), 'héllo');
      await writeFileAtomic(p, Buffer.from([1, 2, 3]));
      assert.deepEqual([...(await fsp.readFile(p))], [1, 2, 3]);
      await writeFileAtomic(p, [new Uint8Array([4, 5]), Buffer.alloc(0), Buffer.from([6])]);
      assert.deepEqual([...(await fsp.readFile(p))], [4, 5, 6]);
      const big = new Uint8Array(3 << 20).map((_, i) => i & 0xff);
      await writeFileAtomic(p, big);
      assert.ok(Buffer.from(big).equals(await fsp.readFile(p)));
      assert.deepEqual(await ls(dir), ['a.txt']);
    });
  });

  test('failure removes the temp file and keeps the old content', async () => {
    await withTempDir(async (dir) => {
      // Target is a non-empty directory: the final rename fails after the temp file was written.
      const target = join(dir, 'out');
      await fsp.mkdir(target);
      await fsp.writeFile(join(target, 'keep'), 'x');
      await assert.rejects(writeFileAtomic(target, 'data'));
      assert.deepEqual(await ls(dir), ['out']);
      assert.deepEqual(await ls(target), ['keep']);
      // Missing parent directory: the temp file cannot even be created.
      await assert.rejects(writeFileAtomic(join(dir, 'nope', 'f'), 'data'), { code: 'ENOENT' });
    });
  });

  test('writeJsonAtomic writes pretty JSON with a trailing newline', async () => {
    await withTempDir(async (dir) => {
      const p = join(dir, 'x.json');
      await writeJsonAtomic(p, { a: 1, b: [true, null] });
      assert.equal(await fsp.readFile(p, 'utf8'), '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}\n');
      await assert.rejects(writeJsonAtomic(p, undefined), /not JSON-serializable/);
      assert.deepEqual(await ls(dir), ['x.json']);
    });
  });
});

describe('atomic directories', () => {
  test('makeTempDirBeside + commitDirAtomic create and replace a directory', async () => {
    await withTempDir(async (root) => {
      const final = join(root, 'sub', 'run1');
      const t1 = await makeTempDirBeside(final);
      assert.match(t1, new RegExp(`run1\\.tmp-${process.pid}-[0-9a-f]{8}$`));
      await fsp.writeFile(join(t1, 'v'), '1');
      await fsp.mkdir(join(t1, 'nested'));
      await fsp.writeFile(join(t1, 'nested', 'f'), 'n');
      await commitDirAtomic(t1, final);
      assert.equal(await fsp.readFile(join(final, 'v'), 'utf8'), '1');
      assert.equal(await fsp.readFile(join(final, 'nested', 'f'), 'utf8'), 'n');

      const t2 = await makeTempDirBeside(final);
      await fsp.writeFile(join(t2, 'v'), '2');
      await commitDirAtomic(t2, final);
      assert.deepEqual(await ls(final), ['v']);
      assert.equal(await fsp.readFile(join(final, 'v'), 'utf8'), '2');
      assert.deepEqual(await ls(join(root, 'sub')), ['run1']); // no .tmp- or .old- left
    });
  });

  test('commitDirAtomic refuses to replace a file and restores nothing it did not move', async () => {
    await withTempDir(async (root) => {
      const final = join(root, 'out');
      await fsp.writeFile(final, 'a file');
      const t = await makeTempDirBeside(final);
      await assert.rejects(commitDirAtomic(t, final), /not a directory/);
      assert.equal(await fsp.readFile(final, 'utf8'), 'a file');
    });
  });

  test('writeDirAtomic: success commits, failure removes the temp dir and keeps the old dir', async () => {
    await withTempDir(async (root) => {
      const final = join(root, 'out');
      const r = await writeDirAtomic(final, async (tmp) => {
        await fsp.writeFile(join(tmp, 'a'), 'old');
        return 42;
      });
      assert.equal(r, 42);
      await assert.rejects(
        writeDirAtomic(final, async (tmp) => {
          await fsp.writeFile(join(tmp, 'a'), 'half-written');
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.deepEqual(await ls(root), ['out']);
      assert.equal(await fsp.readFile(join(final, 'a'), 'utf8'), 'old');
    });
  });

  test('withTempDir removes its directory after success and after an error', async () => {
    let seen = '';
    await withTempDir(async (d) => {
      seen = d;
      await fsp.writeFile(join(d, 'f'), 'x');
    });
    assert.ok(seen && !existsSync(seen));
    await assert.rejects(
      withTempDir((d) => {
        seen = d;
        throw new Error('fail');
      }),
      /fail/,
    );
    assert.ok(!existsSync(seen));
  });

  test('removeStaleTempDirs removes dead leftovers, keeps live ones, restores a lost final dir', async () => {
    await withTempDir(async (root) => {
      const final = join(root, 'out');
      await fsp.mkdir(final);
      const deadTmp = join(root, `out.tmp-${DEAD_PID}-deadbeef`);
      const deadFile = join(root, `.out.tmp-${DEAD_PID}-0badf00d`);
      const liveTmp = join(root, `out.tmp-${process.pid}-00000001`);
      const unrelated = join(root, 'out.tmp-notapid');
      await fsp.mkdir(deadTmp);
      await fsp.writeFile(deadFile, '');
      await fsp.mkdir(liveTmp);
      await fsp.mkdir(unrelated);
      const removed = await removeStaleTempDirs(final);
      assert.deepEqual(removed.sort(), [deadFile, deadTmp].sort());
      assert.deepEqual(await ls(root), ['out', 'out.tmp-notapid', `out.tmp-${process.pid}-00000001`].sort());

      // Crash between the two renames: final is gone, the old complete dir is under .old-.
      await fsp.rm(final, { recursive: true });
      const old = join(root, `out.old-${DEAD_PID}-cafe0001`);
      await fsp.mkdir(old);
      await fsp.writeFile(join(old, 'v'), 'old');
      await removeStaleTempDirs(final);
      assert.equal(await fsp.readFile(join(final, 'v'), 'utf8'), 'old');
      assert.ok(!existsSync(old));
      assert.deepEqual(await removeStaleTempDirs(join(root, 'missing', 'x')), []);
    });
  });
});
