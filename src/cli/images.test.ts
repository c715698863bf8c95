// The image path end to end on a tiny synthetic image set: augmentation, normalisation and queries recorded,
// reference models replaying them, and the image-specific input errors (one line, exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNpy } from '../data/index.ts';
import { readSafetensors } from '../io/safetensors.ts';
import { Rng } from '../util/rng.ts';
import { assertOneLineError as oneLineError } from './_testing.ts';

const BIN = fileURLToPath(new URL('../../bin/cwrf.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cwrf-images-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, CWRF_CACHE_DIR: join(dir, 'cache') };
const cwrf = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

function npyDataset(name: string, n: number, shape: number[]): string {
  const rng = new Rng(1);
  const per = shape.reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: n * per }, () => rng.uniform());
  const y = Int32Array.from({ length: n }, (_, i) => i % 3);
  for (let i = 0; i < n; i++) x[i * per] += y[i]; // a learnable cue
  writeFileSync(join(dir, `${name}-x.npy`), writeNpy(x, [n, ...shape]));
  writeFileSync(join(dir, `${name}-y.npy`), writeNpy(y, [n]));
  return `npy:${join(dir, `${name}-x.npy`)},${join(dir, `${name}-y.npy`)}`;
}


test('image input errors: crop on non-image data, images smaller than the crop, a model that does not fit, queries on tabular data', () => {
  const tab = npyDataset('tab', 60, [10]);
  const tiny = npyDataset('tiny', 60, [3, 3, 3]);
  const out = join(dir, 'never');
  oneLineError(cwrf('train', '--dataset', tab, '--augment', 'flip,crop', '--epochs', '1', '--out', out), /needs image data \[C,H,W\]/);
  oneLineError(cwrf('train', '--dataset', tiny, '--model', 'mlp', '--augment', 'crop', '--epochs', '1', '--out', out), /smaller than the crop/);
  oneLineError(cwrf('train', '--dataset', tab, '--model', 'resnet20', '--epochs', '1', '--out', out), /resnet20 needs image input/);
  oneLineError(cwrf('train', '--dataset', tab, '--model', 'vit-tiny', '--epochs', '1', '--out', out), /vit-tiny needs image input/);
  oneLineError(cwrf('train', '--dataset', tiny, '--model', 'smallcnn', '--epochs', '1', '--out', out), /smallcnn needs images of at least 4x4/);
  oneLineError(cwrf('train', '--dataset', tab, '--normalize', 'population', '--epochs', '1', '--out', out), /--normalize needs image data/);
  oneLineError(cwrf('train', '--dataset', tab, '--augment', 'rotate', '--out', out), /--augment must be/);
  oneLineError(cwrf('train', '--dataset', tab, '--model', 'mlp', '--width', '2', '--out', out), /--width does not apply to --model mlp/);
  assert.equal(cwrf('train', '--dataset', tab, '--model', 'mlp', '--hidden', '8', '--epochs', '1', '--population', '40', '--out', join(dir, 'tab-run')).code, 0);
  oneLineError(cwrf('audit', join(dir, 'tab-run'), '--refs', '2', '--queries', '2'), /--queries 2 needs image data/);
  assert.ok(!existsSync(out));
});

test('train and audit an image model: augmentation and normalisation in the recipe, phi [models x n x queries]', () => {
  const ds = npyDataset('img', 120, [3, 8, 8]);
  const run = join(dir, 'run');
  const t = cwrf('train', '--dataset', ds, '--model', 'resnet20', '--width', '0.25', '--epochs', '2', '--batch-size', '16', '--augment', 'flip,crop', '--pad', '2', '--normalize', 'population', '--lr', '0.05', '--out', run);
  assert.equal(t.code, 0, t.err);
  const recipe = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')).recipe;
  assert.deepEqual(recipe.augment, { flip: true, crop: true, pad: 2 });
  assert.equal(recipe.normalize.mean.length, 3);
  assert.ok(recipe.normalize.mean[0] > recipe.normalize.mean[1], 'channel 0 carries the label cue');
  assert.equal(recipe.model.width, 0.25);
  const a = cwrf('audit', run, '--refs', '2', '--queries', '2', '--workers', '1', '--attacks', 'lira-online-fixed,phi-threshold,rmia-online,loss');
  assert.equal(a.code, 0, a.err);
  const json = JSON.parse(readFileSync(join(run, 'audit', 'audit.json'), 'utf8'));
  assert.equal(json.settings.queries, 2);
  return readSafetensors(join(run, 'audit', 'signals.safetensors')).then(({ tensors, metadata }) => {
    const n = json.settings.populationSize;
    assert.deepEqual(tensors.phi.shape, [3, n, 2]);
    assert.deepEqual(tensors.p_y.shape, [3, n]);
    assert.equal(metadata.queries, '2');
    const phi = tensors.phi.data as Float64Array;
    assert.ok(phi.some((v, i) => i % 2 === 0 && v !== phi[i + 1]), 'the mirror query gives other logits');
  });
});
