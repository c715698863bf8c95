// `--model onnx:PATH` end to end through the CLI: train, defend, export, predict; the exported defended model
// scores the run's test rows in ONNX Runtime with the accuracy cwrf reports; bad input is one line, exit 2.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { writeNpy } from '../data/npy.ts';
import { readSafetensors } from '../io/safetensors.ts';
import { validate as validateDp } from '../defenses/dpsgd/index.ts';
import { Generator } from '../engine/index.ts';
import { predictToFile } from '../runs/index.ts';
import { buildModel } from '../nn/index.ts';
import { fixtureDir, fixtureSkip, npy } from '../nn/onnx/_testing.ts';
import { validateRecipe } from '../train/index.ts';
import { InputError } from '../util/errors.ts';
import { cwrfEnv } from '../util/_testing.ts';
import { Flags } from './flags.ts';
import { RECIPE_FLAGS, recipeFromFlags } from './recipe-flags.ts';
import { assertOneLineError as oneLineError } from './_testing.ts';

const BIN = fileURLToPath(new URL('../../bin/cwrf.mjs', import.meta.url));
const skip = fixtureSkip();
const dir = mkdtempSync(join(tmpdir(), 'cwrf-onnx-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = cwrfEnv({ CWRF_CACHE_DIR: join(dir, 'cache') });
ort.env.logLevel = 'error';

function cwrf(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function ok(r: ReturnType<typeof cwrf>) {
  assert.equal(r.code, 0, r.err);
  return r.out;
}

test('train and defend an ONNX model; the exported defended model has the reported test accuracy in ONNX Runtime', { skip }, async () => {
  const fx = join(fixtureDir(), 'mlp');
  const dataset = `npy:${join(fx, 'data_x.npy')},${join(fx, 'data_y.npy')}`;
  const run = join(dir, 'run');
  const defended = join(dir, 'rewind');
  ok(cwrf('train', '--dataset', dataset, '--model', `onnx:${join(fx, 'model.onnx')}`, '--epochs', '10', '--lr', '0.01', '--out', run, '--quiet'));
  ok(cwrf('defend', run, '--method', 'rewind', '--ratio', '0.05', '--out', defended, '--quiet'));
  const runJson = JSON.parse(readFileSync(join(defended, 'run.json'), 'utf8')) as { metrics: { testAccuracy: number }; recipe: { model: { arch: string } } };
  assert.equal(runJson.recipe.model.arch, 'onnx');
  const out = join(dir, 'defended.onnx');
  ok(cwrf('export', defended, '--onnx', out));
  ok(cwrf('export', defended, '--safetensors', join(dir, 'defended.safetensors')));
  const init = await readSafetensors(join(run, 'init.safetensors'));
  assert.deepEqual(Object.keys(init.tensors).sort(), ['net.0.bias', 'net.0.weight', 'net.2.bias', 'net.2.weight', 'net.4.bias', 'net.4.weight']);

  // the test rows cwrf scored, through ONNX Runtime
  const x = npy(join(fx, 'data_x.npy'));
  const y = npy(join(fx, 'data_y.npy'));
  const testRows = (await readSafetensors(join(defended, 'split.safetensors'))).tensors.test.data as Int32Array;
  const f = x.shape[1];
  const tx = new Float32Array(testRows.length * f);
  testRows.forEach((r, i) => tx.set(x.data.subarray(r * f, (r + 1) * f) as Float32Array, i * f));
  const session = await ort.InferenceSession.create(out);
  const res = await session.run({ x: new ort.Tensor('float32', tx, [testRows.length, f]) });
  const logits = res.logits.data as Float32Array;
  let correct = 0;
  testRows.forEach((r, i) => {
    const row = Array.from(logits.subarray(i * 4, i * 4 + 4));
    if (row.indexOf(Math.max(...row)) === y.data[r]) correct++;
  });
  await session.release();
  assert.ok(testRows.length > 0);
  assert.equal(correct / testRows.length, runJson.metrics.testAccuracy);
  assert.ok(runJson.metrics.testAccuracy > 0.5, `test accuracy ${runJson.metrics.testAccuracy}`);

  // predict: from the run and from the exported file, the same float32 [n, classes] logits
  const xin = join(dir, 'x.npy');
  writeFileSync(xin, writeNpy(tx, [testRows.length, f]));
  ok(cwrf('predict', defended, '--input', xin, '--out', join(dir, 'a.npy')));
  ok(cwrf('predict', `onnx:${out}`, '--input', xin, '--out', join(dir, 'b.npy')));
  const a = npy(join(dir, 'a.npy'));
  assert.equal(a.dtype, 'f4');
  assert.deepEqual(a.shape, [testRows.length, 4]);
  assert.deepEqual(readFileSync(join(dir, 'a.npy')), readFileSync(join(dir, 'b.npy')));
  assert.ok(Array.from(a.data).every((v, i) => Math.abs(v - logits[i]) <= 1e-4), 'cwrf predict equals ONNX Runtime');

  // bad input: one line, exit 2, nothing written
  const wide = join(dir, 'wide.npy');
  writeFileSync(wide, writeNpy(new Float32Array(3 * 13), [3, 13]));
  oneLineError(cwrf('predict', `onnx:${out}`, '--input', wide, '--out', join(dir, 'never.npy')), /shape \[12\].*\[13\]/);
  const cut = join(dir, 'cut.onnx');
  writeFileSync(cut, readFileSync(out).subarray(0, 300));
  oneLineError(cwrf('train', '--dataset', dataset, '--model', `onnx:${cut}`, '--out', join(dir, 'never')), /not a valid ONNX model/);
  // the same checks in-process (no process start each)
  const ints = join(dir, 'ints.npy');
  writeFileSync(ints, writeNpy(new Int32Array(3 * 12), [3, 12]));
  await assert.rejects(predictToFile(defended, ints, join(dir, 'never.npy')), (e: unknown) => e instanceof InputError && /float32 or float64/.test(e.message));
  const flags = (values: Record<string, string>) => new Flags(RECIPE_FLAGS, values);
  assert.throws(() => recipeFromFlags(flags({ dataset, model: 'mlp', init: 'graph' })), /--init does not apply to --model mlp/);
  assert.throws(() => recipeFromFlags(flags({ dataset, model: 'onnx' })), /needs its argument: --model onnx:PATH\.onnx/);
  assert.throws(() => recipeFromFlags(flags({ dataset, model: 'mlp:x' })), /takes no argument/);
  assert.throws(() => recipeFromFlags(flags({ dataset, model: 'nope' })), /'nope' is not one of mlp\|smallcnn\|resnet18\|resnet20\|resnet32\|resnet56\|wrn16-4\|vit-tiny\|onnx:PATH\.onnx/);
  const onnxRecipe = validateRecipe(recipeFromFlags(flags({ dataset, model: `onnx:${join(fx, 'model.onnx')}`, init: 'graph' })));
  assert.equal(onnxRecipe.model.init, 'graph');
  // DP-SGD has no per-sample rule for a graph's parameters: refused, not silently trained
  const graph = buildModel(onnxRecipe.model, [12], 4, new Generator(0));
  assert.throws(() => validateDp(graph), /do not support layer '\(root\)' \(OnnxModule\)/);
  graph.dispose();
  assert.equal(existsSync(join(dir, 'never.npy')) || existsSync(join(dir, 'never')), false);
});
