import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeNpy } from '../data/npy.ts';
import { InputError } from '../util/errors.ts';
import { attackSignals } from './attack-set.ts';
import { isLiraDir, readLiraDir } from './lira-import.ts';

const root = mkdtempSync(join(tmpdir(), 'cwrf-lira-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A LiRA experiment folder: M models, n examples, Q queries, C classes; members get a higher true-class logit. */
function layout(name: string, M: number, n: number, Q: number, C: number, shape4 = true): string {
  const dir = join(root, name);
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const labels = new Float64Array(n + 3).map(() => Math.floor(rnd() * C)); // longer than n, as y_train.npy is
  mkdirSync(dir);
  writeFileSync(join(dir, 'y_train.npy'), writeNpy(Int32Array.from(labels), [n + 3]));
  for (let m = 0; m < M; m++) {
    const md = join(dir, `experiment-${m}_${M}`);
    mkdirSync(join(md, 'logits'), { recursive: true });
    const keep = new Uint8Array(n).map((_, i) => ((i + m) % 2 === 0 ? 1 : 0));
    writeFileSync(join(md, 'keep.npy'), writeNpy(keep, [n], { bool: true }));
    const lg = new Float32Array(n * Q * C);
    for (let i = 0; i < n; i++)
      for (let q = 0; q < Q; q++)
        for (let c = 0; c < C; c++) lg[(i * Q + q) * C + c] = rnd() * 2 + (c === labels[i] ? 1 + (keep[i] ? 1.5 : 0) + 0.1 * q : 0);
    writeFileSync(join(md, 'logits', '0000000099.npy'), writeNpy(new Float32Array(n * Q * C).fill(0), shape4 ? [n, 1, Q, C] : [n, Q, C]));
    writeFileSync(join(md, 'logits', '0000000100.npy'), writeNpy(lg, shape4 ? [n, 1, Q, C] : [n, Q, C]));
  }
  return dir;
}

test("LiRA's reference layout: inclusion from keep.npy, last logits file, phi per query, target = last model", () => {
  const dir = layout('a', 12, 40, 2, 3);
  assert.ok(isLiraDir(dir));
  const s = readLiraDir(dir);
  assert.equal(s.models.length, 12);
  assert.equal(s.target, 11);
  assert.equal(s.queries, 2);
  assert.equal(s.classes, 3);
  assert.equal(s.labels.length, 40);
  assert.equal(s.signals.phi.length, 12 * 40 * 2);
  assert.equal(s.signals.pY.length, 12 * 40);
  assert.deepEqual(Array.from(s.inclusion.subarray(40, 44)), [0, 1, 0, 1]);
  // the signals come from the last (non-zero) logits file: members' phi is clearly higher
  const { results } = attackSignals(s, { attacks: ['lira-online-fixed', 'lira-offline-fixed', 'rmia-online', 'loss'] });
  for (const r of results) assert.ok(r.metrics.auc > 0.8, `${r.name} AUC ${r.metrics.auc}`);
  // [n, queries, classes] logits read the same
  const b = readLiraDir(layout('b', 12, 40, 2, 3, false));
  assert.deepEqual(b.signals.phi, s.signals.phi);
  assert.equal(readLiraDir(dir, { target: 2 }).target, 2);
});

test('LiRA layout errors are one-line InputErrors', () => {
  const dir = layout('c', 3, 10, 1, 2);
  assert.throws(() => readLiraDir(dir, { target: 3 }), /--target 3/);
  assert.throws(() => readLiraDir(root), (e: unknown) => e instanceof InputError && /at least 2 model folders/.test(e.message));
  writeFileSync(join(dir, 'experiment-1_3', 'logits', '0000000101.npy'), writeNpy(new Float32Array(9 * 2), [9, 2]));
  assert.throws(() => readLiraDir(dir), /differs from the first model's/);
  writeFileSync(join(dir, 'y_train.npy'), writeNpy(Int32Array.from([0, 5]), [2]));
  assert.throws(() => readLiraDir(dir), InputError);
});

const PYTHON = process.env.CWRF_PYTHON ?? '/usr/bin/python3';
const numpySkip = !existsSync(PYTHON) || spawnSync(PYTHON, ['-c', 'import numpy']).status !== 0 ? `${PYTHON} cannot import numpy` : undefined;

test("LiRA online scores equal the reference code's (score.py phi, plot.py generate_ours) on its own layout", { skip: numpySkip }, () => {
  const dir = join(root, 'reference');
  mkdirSync(dir);
  const r = spawnSync(PYTHON, [fileURLToPath(new URL('./fixtures/lira_reference.py', import.meta.url)), dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, number[]>;
  const s = readLiraDir(dir);
  assert.equal(s.target, 9);
  const { results } = attackSignals(s, { attacks: ['lira-online', 'lira-online-fixed'] });
  for (const res of results) {
    const want = expected[res.name.slice('lira-'.length)];
    // plot.py's score is lower for members; cwrf's is higher
    const worst = Math.max(...want.map((w, i) => Math.abs(-w - res.scores[i]) / Math.max(1, Math.abs(w))));
    assert.ok(worst <= 1e-9, `${res.name}: relative difference ${worst}`);
  }
});
