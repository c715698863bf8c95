import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { crossEntropy, Generator, noGrad, tensor, tidy } from '../../engine/index.ts';
import { makeOptimizer } from '../../optim/index.ts';
import { InputError } from '../../util/errors.ts';
import { fixtureDir, fixtureSkip, maxDiff, npy, npz } from './_testing.ts';
import { exportOnnx } from './export.ts';
import { graphInputShape, OnnxModule } from './module.ts';
import { decodeOnnx, encodeOnnx, readOnnx } from './parse.ts';

const skip = fixtureSkip();
ort.env.logLevel = 'error';
const MODELS = ['mlp', 'rescnn', 'bntrain', 'transformer'];

function load(name: string, seed = 1): OnnxModule {
  return new OnnxModule(readOnnx(join(fixtureDir(), name, 'model.onnx')), new Generator(seed));
}
function logits(m: OnnxModule, x: { data: ArrayLike<number>; shape: number[] }): Float32Array {
  return tidy(() => noGrad(() => m.forward(tensor(Float32Array.from(x.data), x.shape, 'float32')).toFloat32()));
}
async function ortLogits(model: string | Uint8Array, x: { data: ArrayLike<number>; shape: number[] }): Promise<Float32Array> {
  const s = typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(x.data), x.shape) });
  const y = out[s.outputNames[0]].data as Float32Array;
  await s.release();
  return y;
}

test('cwrf logits equal PyTorch and ONNX Runtime (MLP, residual CNN, BatchNorm+Dropout training export, transformer block)', { skip }, async () => {
  for (const name of MODELS) {
    const d = join(fixtureDir(), name);
    const m = load(name).eval();
    const x = npy(join(d, 'x.npy'));
    const ours = logits(m, x);
    const torch = npy(join(d, 'y.npy')).data;
    assert.ok(maxDiff(ours, torch) <= 1e-4, `${name}: cwrf vs PyTorch max diff ${maxDiff(ours, torch)}`);
    const theirs = await ortLogits(exportOnnx(m), x);
    assert.ok(maxDiff(ours, theirs) <= 1e-4, `${name}: cwrf vs ONNX Runtime max diff ${maxDiff(ours, theirs)}`);
    m.dispose();
  }
});

test('one training step (BatchNorm batch statistics, running-stat update, seeded Dropout, SGD) equals PyTorch', { skip }, async () => {
  const d = join(fixtureDir(), 'bntrain');
  const meta = JSON.parse(readFileSync(join(d, 'names.json'), 'utf8')) as { seed: number; lr: number; momentum: number; weightDecay: number; names: string[] };
  const m = load('bntrain', meta.seed).train();
  const x = npy(join(d, 'x.npy'));
  const labels = npy(join(d, 'labels.npy'));
  const opt = makeOptimizer({ name: 'sgd', lr: meta.lr, momentum: meta.momentum, weightDecay: meta.weightDecay }, m.namedParameters());
  const y = tidy(() => {
    const out = m.forward(tensor(Float32Array.from(x.data), x.shape, 'float32'));
    // the graph ends in LogSoftmax: cross-entropy of log-probabilities is PyTorch's nll_loss
    crossEntropy(out, tensor(BigInt64Array.from(labels.data, (v) => BigInt(v)), labels.shape, 'int64')).backward();
    return out.toFloat32();
  });
  assert.ok(maxDiff(y, npy(join(d, 'y_train.npy')).data) <= 1e-4, `train-mode logits (dropout active) differ by ${maxDiff(y, npy(join(d, 'y_train.npy')).data)}`);
  assert.ok(maxDiff(y, npy(join(d, 'y.npy')).data) > 1e-2, 'training mode differs from eval mode');
  opt.step();
  const after = npz(join(d, 'after.npz'));
  const live = m.stateTensors();
  assert.equal(live.size, meta.names.length);
  meta.names.forEach((name, i) => {
    const t = live.get(name);
    assert.ok(t, `no tensor '${name}'`);
    const diff = maxDiff(t.toFloat32(), after[`p${i}`].data);
    assert.ok(diff <= 1e-5, `${name} after one step differs from PyTorch by ${diff}`);
  });
  // the trained weights and updated running statistics, exported in inference mode, run the same in ONNX Runtime
  m.eval();
  const ours = logits(m, x);
  const theirs = await ortLogits(exportOnnx(m), x);
  assert.ok(maxDiff(ours, theirs) <= 1e-4, `after the step: cwrf vs ONNX Runtime max diff ${maxDiff(ours, theirs)}`);
  m.dispose();
});

test('parameters are named as in the graph; running statistics are buffers; resetParameters uses PyTorch defaults by role', { skip }, () => {
  const m = load('bntrain');
  const names = m.namedParameters().map(([n]) => n);
  assert.deepEqual(names, ['c1.weight', 'c1.bias', 'b1.weight', 'b1.bias', 'c2.weight', 'b2.weight', 'b2.bias', 'c3.weight', 'c3.bias', 'fc.weight', 'fc.bias']);
  assert.deepEqual(m.namedBuffers().map(([n]) => n), ['b1.running_mean', 'b1.running_var', 'b2.running_mean', 'b2.running_var']);
  assert.deepEqual(m.resetParameters(new Generator(5)), []);
  const s = m.stateDict();
  const bound = (n: string, fanIn: number) => Math.max(...Array.from(s[n].data as Float32Array, Math.abs)) <= 1 / Math.sqrt(fanIn);
  assert.ok(bound('c1.weight', 27) && bound('c1.bias', 27) && bound('fc.weight', 16) && bound('fc.bias', 16));
  assert.ok(!bound('c1.weight', 54), 'weights fill their range');
  assert.deepEqual(Array.from(s['b1.weight'].data as Float32Array), new Array(8).fill(1));
  assert.deepEqual(Array.from(s['b2.running_mean'].data as Float32Array), new Array(8).fill(0));
  const again = load('bntrain');
  again.resetParameters(new Generator(5));
  assert.deepEqual(again.stateDict(), s, 'same seed, same weights');
  m.dispose();
  again.dispose();
});

test('the transformer block: MatMul weights and their Add biases get linear roles', { skip }, () => {
  const m = load('transformer');
  const w = m.roles.get('onnx::MatMul_135');
  assert.deepEqual(w, { kind: 'weight', fanIn: 6, op: 'MatMul' });
  assert.deepEqual(m.roles.get('emb.bias'), { kind: 'bias', fanIn: 6, op: 'MatMul' });
  assert.deepEqual(m.roles.get('ln1.weight'), { kind: 'ones', op: 'LayerNormalization' });
  m.dispose();
});

test('bad files, unsupported ops and wrong inputs are one-line InputErrors', { skip }, () => {
  const path = join(fixtureDir(), 'rescnn', 'model.onnx');
  const bytes = readFileSync(path);
  const oneLine = (fn: () => unknown, re: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof InputError && !e.message.includes('\n') && re.test(e.message));
  oneLine(() => decodeOnnx(bytes.subarray(0, bytes.length - 100), 'cut.onnx'), /cut\.onnx: not a valid ONNX model/);
  oneLine(() => decodeOnnx(new Uint8Array([1, 2, 3, 4, 5]), 'junk.onnx'), /junk\.onnx/);
  oneLine(() => decodeOnnx(bytes, 'big.onnx', { maxBytes: 100, maxNodes: 1000 }), /size limit/);
  oneLine(() => decodeOnnx(bytes, 'many.onnx', { maxBytes: 1e9, maxNodes: 3 }), /node limit/);
  oneLine(() => readOnnx('/nonexistent/model.onnx'), /cannot read ONNX model/);
  const m = new OnnxModule(decodeOnnx(bytes, path), new Generator(0));
  oneLine(() => m.forward(tensor(new Float32Array(2 * 3 * 9 * 9), [2, 3, 9, 9])), /got shape \[2,3,9,9\]/);
  oneLine(() => m.forward(tensor(new Float64Array(2 * 3 * 8 * 8), [2, 3, 8, 8], 'float64')), /got float64/);
  oneLine(() => m.checkData([3, 8, 8], 10), /outputs 5 classes/);
  oneLine(() => m.checkData([1, 28, 28], 5), /examples of shape \[3,8,8\]/);
  m.dispose();
  const fixed = load('fixed');
  oneLine(() => fixed.forward(tensor(new Float32Array(4 * 36), [4, 1, 6, 6])), /Gemm.*exported for batches of 1/);
  assert.deepEqual(tidy(() => fixed.forward(tensor(new Float32Array(36), [1, 1, 6, 6])).shape), [1, 3]);
  fixed.dispose();
  // an op with no converter, and a custom-op domain
  const model = decodeOnnx(bytes, path);
  model.graph.nodes[0] = { ...model.graph.nodes[0], opType: 'FancyOp' };
  model.graph.nodes[1] = { ...model.graph.nodes[1], domain: 'com.example' };
  model.opsets.set('com.example', 1);
  oneLine(() => new OnnxModule(model, new Generator(0)), /op FancyOp is not supported.*com\.example/);
});

test('external data is read only from inside the model folder', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cwrf-onnx-ext-'));
  try {
    const src = readOnnx(join(fixtureDir(), 'mlp', 'model.onnx'));
    const init = (src.proto as unknown as { graph: { initializer: { name: string; rawData: Uint8Array; dataLocation: number; externalData: { key: string; value: string }[] }[] } }).graph.initializer[0];
    const raw = Uint8Array.from(init.rawData);
    const place = (location: string) => {
      init.rawData = new Uint8Array();
      init.dataLocation = 1;
      init.externalData = [{ key: 'location', value: location }, { key: 'offset', value: '8' }, { key: 'length', value: String(raw.length) }];
      writeFileSync(join(dir, 'sub', 'model.onnx'), encodeOnnx(src, new Map()));
    };
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'w.bin'), Buffer.concat([Buffer.alloc(8), raw]));
    writeFileSync(join(dir, 'outside.bin'), Buffer.concat([Buffer.alloc(8), raw]));
    place('w.bin');
    const ok = readOnnx(join(dir, 'sub', 'model.onnx'));
    assert.deepEqual(ok.graph.initializers[0].data, src.graph.initializers[0].data);
    place('../outside.bin');
    assert.throws(() => readOnnx(join(dir, 'sub', 'model.onnx')), /outside the model's folder/);
    place('/etc/passwd');
    assert.throws(() => readOnnx(join(dir, 'sub', 'model.onnx')), /must be relative/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--model onnx:PATH specs: fresh seeded weights, the graph's own, or --init-from; a changed file is refused", { skip }, async () => {
  const { onnxModelSpec, buildOnnxModel } = await import('./spec.ts');
  const { saveState } = await import('../state-file.ts');
  const dir = mkdtempSync(join(tmpdir(), 'cwrf-onnx-spec-'));
  try {
    const path = join(dir, 'm.onnx');
    writeFileSync(path, readFileSync(join(fixtureDir(), 'mlp', 'model.onnx')));
    const graphState = new OnnxModule(readOnnx(path), new Generator(0));
    const g = graphState.stateDict();
    const reset = onnxModelSpec(`onnx:${path}`);
    assert.equal(reset.arch, 'onnx');
    const a = buildOnnxModel(reset, [12], 4, new Generator(3));
    const b = buildOnnxModel(reset, [12], 4, new Generator(3));
    assert.deepEqual(a.stateDict(), b.stateDict());
    assert.notDeepEqual(a.stateDict()['net.0.weight'], g['net.0.weight']);
    const kept = buildOnnxModel(onnxModelSpec(path, { init: 'graph' }), [12], 4, new Generator(3));
    assert.deepEqual(kept.stateDict(), g);
    const initFile = join(dir, 'init.safetensors');
    await saveState(initFile, a.stateDict());
    const from = buildOnnxModel(onnxModelSpec(path, { initFrom: initFile }), [12], 4, new Generator(99));
    assert.deepEqual(from.stateDict(), a.stateDict());
    assert.throws(() => buildOnnxModel(reset, [12], 5, new Generator(0)), /outputs 4 classes, the data has 5/);
    assert.throws(() => buildOnnxModel(reset, [3, 8, 8], 4, new Generator(0)), /examples of shape \[12\], the data has \[3,8,8\]/);
    writeFileSync(path, readFileSync(join(fixtureDir(), 'rescnn', 'model.onnx')));
    assert.throws(() => buildOnnxModel(reset, [12], 4, new Generator(0)), /changed since the run was recorded/);
    for (const m of [graphState, a, b, kept, from]) m.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the converter registry: keyed by (domain, op, opset range), overlaps rejected, opset-dependent semantics', async () => {
  const { register, converterFor, registeredOps } = await import('./registry.ts');
  const { scalar } = await import('../../engine/index.ts');
  assert.throws(() => register('Clip', () => () => [], { since: 12, until: 13 }), /overlaps one for opsets 11-Infinity/);
  assert.ok(registeredOps().some((o) => o.opType === 'Softmax' && o.until === 12));
  const rt = { training: false, gen: new Generator(0) };
  const node = (opType: string, attrs: [string, { name: string; i?: number; f?: number }][] = []) => ({
    name: 'n',
    opType,
    domain: '',
    inputs: ['x', 'lo', 'hi'],
    outputs: ['y'],
    attributes: new Map(attrs),
  });
  const run = (opType: string, opset: number, ins: Parameters<ReturnType<ReturnType<typeof converterFor>>>[0], attrs?: Parameters<typeof node>[1]) =>
    tidy(() => converterFor(node(opType, attrs), opset)(node(opType, attrs), { opset, constant: () => undefined })(ins, rt)[0]!.toFloat32());
  assert.deepEqual(Array.from(run('Clip', 13, [tensor([-3, 0.5, 9]), scalar(0), scalar(6)])), [0, 0.5, 6]);
  assert.deepEqual(Array.from(run('Clip', 6, [tensor([-3, 0.5, 9])], [['min', { name: 'min', f: -1 }]])), [-1, 0.5, 9]);
  // Softmax before opset 13 normalises over the flattened trailing dims, from 13 over the last axis
  const x = tensor([0, 1, 2, 3], [1, 2, 2]);
  const old = run('Softmax', 11, [x], [['axis', { name: 'axis', i: 1 }]]);
  assert.ok(Math.abs(old.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  const now = run('Softmax', 13, [x]);
  assert.ok(Math.abs(now[0] + now[1] - 1) < 1e-6 && Math.abs(now[2] + now[3] - 1) < 1e-6);
  assert.throws(() => converterFor({ ...node('Relu'), domain: 'com.microsoft' }, 1), /custom-op domains are never loaded/);
  assert.throws(() => converterFor(node('LayerNormalization'), 16), /not supported at opset 16/);
});

test('examples that differ from the graph input only by flattening or a leading channel of 1 are reshaped; others refused in one line', () => {
  assert.deepEqual(graphInputShape([784], [1, 28, 28]), { ok: true, reshape: [784] });
  assert.deepEqual(graphInputShape([1, 28, 28], [784]), { ok: true, reshape: [1, 28, 28] });
  assert.deepEqual(graphInputShape([28, 28], [1, 28, 28]), { ok: true, reshape: [28, 28] });
  assert.deepEqual(graphInputShape([3, 32, 32], [3, 32, 32]), { ok: true });
  assert.deepEqual(graphInputShape([null, 32, 32], [3, 32, 32]), { ok: true });
  assert.equal(graphInputShape([32, 32, 3], [3, 32, 32]).ok, false, 'channels-last is not a flattening');
  assert.match(String((graphInputShape([100], [1, 28, 28]) as { why: string }).why), /100 elements per example against the data's 784/);
  assert.equal(graphInputShape([null], [1, 28, 28]).ok, false);
});

test('a flat-input ONNX MLP takes image-shaped examples: the same logits as the flat rows', { skip }, () => {
  const d = join(fixtureDir(), 'mlp');
  const x = npy(join(d, 'x.npy')); // [9, 12]
  const flat = load('mlp').eval();
  const shaped = load('mlp').eval();
  shaped.fitInput([1, 3, 4], 'mlp');
  assert.deepEqual(shaped.reshapeTo, [12]);
  assert.deepEqual(logits(shaped, { data: x.data, shape: [9, 1, 3, 4] }), logits(flat, x));
  const cnn = load('rescnn');
  assert.throws(() => cnn.fitInput([8, 8, 3], 'rescnn'), (e: Error) => e instanceof InputError && /takes examples of shape \[3,8,8\], the inputs have \[8,8,3\] \(same 192 elements, but not a flattening/.test(e.message));
  for (const m of [flat, shaped, cnn]) m.dispose();
});
