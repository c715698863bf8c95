// Golden bytes: a tiny train + defend + audit through the CLI (threads 1, workers 1) must give the bytes
// recorded from commit e2e6810 (before the registry refactor). A change here is a change of behaviour.
// Matrix products round differently per BLAS, so the bytes are recorded per BLAS (and OpenBLAS kernel set);
// on another one the tests are skipped, saying which. CWRF_GOLDEN_PRINT=1 prints what this machine computes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './cli/main.ts';
import { Generator, loadedBlas, tensor, noGrad } from './engine/index.ts';
import { buildModel, type ModelSpec } from './nn/index.ts';

/** Deterministic synthetic tabular data: 4 classes, 10 features, class-dependent means. */
function syntheticCsv(rows: number): string {
  let s = 12345;
  const u = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const y = i % 4;
    const f = Array.from({ length: 10 }, (_, j) => ((j % 4 === y ? 1.5 : 0) + (u() - 0.5) * 2).toFixed(4));
    lines.push([y, ...f].join(','));
  }
  return `${lines.join('\n')}\n`;
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);

const GOLDEN_REFERENCE = {
  train: {
    model: '0353f2a5ca8062d9',
    init: '23b5b869778224db',
    split: 'c7334cab9a89716a',
    trainAccuracy: 0.275,
    testAccuracy: 0.3333333333333333,
  },
  relaxloss: {
    model: '0a6d6d3e79b42ec4',
    testAccuracy: 0.13333333333333333,
  },
  labelSmoothing: {
    model: 'f0460d8161f04dbc',
    testAccuracy: 0.35,
  },
  dpsgd: {
    model: '77781b1acb673de5',
    epsilon: 5.529971798253334,
  },
  cwrf: {
    model: '908b6c3dd1d2fd7e',
    testAccuracy: 0.4666666666666667,
    critical: 2,
  },
  rewind: {
    model: '4110a5deda451fae',
    testAccuracy: 0.25,
  },
  cwrfDp: {
    model: '939c30ead605cca4',
    testAccuracy: 0.45,
  },
  audit: {
    signals: '994c4448d50eebb8',
    references: [
      [460472931, 0.4],
      [2008340362, 0.6166666666666667],
    ],
    auc: {
      'lira-online': 0.507604166666667,
      'lira-online-fixed': 0.507604166666667,
      'lira-offline': 0.49140625,
      'lira-offline-fixed': 0.5016493055555556,
      'rmia-online': 0.4971961805555556,
      'rmia-offline': 0.5002864583333333,
      loss: 0.49487847222222187,
      confidence: 0.49487847222222187,
      entropy: 0.4916319444444447,
      'modified-entropy': 0.4937673611111107,
      'phi-threshold': 0.49487847222222187,
    },
  },
};

const GOLDEN_MODELS_REFERENCE = [
  '62795965ccdc1e37',
  '5eb8d9f4c5023969',
  'd208ebc5fd14a904',
  '06281b95c367f35d',
  '90124bfefb22b5ca',
  '3060516c8a27db25',
];

/** Recorded on OpenBLAS 0.3.21 (Debian), Haswell kernels, 1 thread: the same metrics as the reference BLAS, other bytes. */
const GOLDEN_OPENBLAS_HASWELL: typeof GOLDEN_REFERENCE = {
  train: {
    model: 'a1dc26f0b374fc87',
    init: '23b5b869778224db',
    split: 'c7334cab9a89716a',
    trainAccuracy: 0.275,
    testAccuracy: 0.3333333333333333,
  },
  relaxloss: { model: '05c75ead11fee245', testAccuracy: 0.13333333333333333 },
  labelSmoothing: { model: '0f0f738b694d1392', testAccuracy: 0.35 },
  dpsgd: { model: 'f5a5ff4816e563a7', epsilon: 5.529971798253334 },
  cwrf: { model: '96265c1fcd5ddd15', testAccuracy: 0.4666666666666667, critical: 2 },
  rewind: { model: '5889848c48d84718', testAccuracy: 0.25 },
  cwrfDp: { model: '4a97c5e851d77971', testAccuracy: 0.45 },
  audit: { ...GOLDEN_REFERENCE.audit, signals: 'c492134bebc2693f' },
};
const GOLDEN_MODELS_OPENBLAS_HASWELL = [
  '679b64775a35476b',
  'ed0974c71cf0effc',
  '42d58e7a61f03e26',
  '995e7f1c5909afbe',
  'a54ea8debbcd0e1b',
  '3f6e0b1036557178',
];

/** The golden set's key: the BLAS library, and for OpenBLAS its kernel set (single-threaded, so pthread = OpenMP build). */
const blasKey = loadedBlas().startsWith('openblas') ? `openblas/${process.env.OPENBLAS_CORETYPE ?? 'native'}` : loadedBlas();
const GOLDEN_SETS: Record<string, { golden: typeof GOLDEN_REFERENCE; models: string[] }> = {
  reference: { golden: GOLDEN_REFERENCE, models: GOLDEN_MODELS_REFERENCE },
  'openblas/Haswell': { golden: GOLDEN_OPENBLAS_HASWELL, models: GOLDEN_MODELS_OPENBLAS_HASWELL },
};
const set = GOLDEN_SETS[blasKey];
const skip = set ? false : `no golden bytes recorded for BLAS ${blasKey} (recorded: ${Object.keys(GOLDEN_SETS).join(', ')})`;
const check = <T>(got: T, want: T) => {
  if (process.env.CWRF_GOLDEN_PRINT) console.log(`golden (${blasKey}):`, JSON.stringify(got));
  assert.deepEqual(got, want);
};

test('golden: train, defend (cwrf, rewind, dpsgd fine-tune), audit give the recorded bytes', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cwrf-golden-'));
  const env = { CWRF_CACHE_DIR: join(dir, 'cache'), CWRF_CHECKPOINT_SECONDS: '60' };
  const keys = [...Object.keys(env), 'CWRF_DATA_DIR', 'CWRF_THREADS'];
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  for (const k of keys) delete process.env[k];
  Object.assign(process.env, env);
  /** Runs the CLI in this process (faster than a child per command), returning its --json result. */
  const cwrf = async (...args: string[]) => {
    let out = '';
    const write = process.stdout.write;
    // The CLI writes its result as a string; the test runner's own (binary) protocol passes through.
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
      typeof chunk === 'string' ? ((out += chunk), true) : write.call(process.stdout, chunk, ...rest)) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main([...args, '--quiet', '--json']);
    } finally {
      process.stdout.write = write;
    }
    assert.equal(code, 0, `cwrf ${args.join(' ')} exited with ${code}`);
    return JSON.parse(out);
  };
  try {
    const csv = join(dir, 'syn.csv');
    writeFileSync(csv, syntheticCsv(600));
    const ds = ['--dataset', `csv:${csv}`];
    const got: Record<string, unknown> = {};
    const files = (run: string, names: string[]) => Object.fromEntries(names.map((n) => [n, sha(join(dir, run, `${n}.safetensors`))]));
    const t = await cwrf(
      'train',
      ...ds,
      '--hidden',
      '16',
      '--epochs',
      '2',
      '--batch-size',
      '32',
      '--threads',
      '1',
      '--out',
      join(dir, 'base'),
    );
    got.train = {
      ...files('base', ['model', 'init', 'split']),
      trainAccuracy: t.metrics.trainAccuracy,
      testAccuracy: t.metrics.testAccuracy,
    };
    const rl = await cwrf(
      'train',
      ...ds,
      '--hidden',
      '16',
      '--epochs',
      '2',
      '--objective',
      'relaxloss',
      '--threads',
      '1',
      '--out',
      join(dir, 'relax'),
    );
    got.relaxloss = { ...files('relax', ['model']), testAccuracy: rl.metrics.testAccuracy };
    const ls = await cwrf(
      'train',
      ...ds,
      '--hidden',
      '16',
      '--epochs',
      '1',
      '--objective',
      'label-smoothing',
      '--optimizer',
      'sgd',
      '--schedule',
      'step',
      '--threads',
      '1',
      '--out',
      join(dir, 'ls'),
    );
    got.labelSmoothing = { ...files('ls', ['model']), testAccuracy: ls.metrics.testAccuracy };
    const dp = await cwrf(
      'train',
      ...ds,
      '--hidden',
      '16',
      '--epochs',
      '1',
      '--objective',
      'dpsgd',
      '--noise-multiplier',
      '1',
      '--threads',
      '1',
      '--out',
      join(dir, 'dp'),
    );
    got.dpsgd = { ...files('dp', ['model']), epsilon: dp.metrics.history.at(-1).epsilon };
    const c = await cwrf(
      'defend',
      join(dir, 'base'),
      '--method',
      'cwrf',
      '--ratio',
      '0.01',
      '--epochs',
      '1',
      '--iters',
      '3',
      '--threads',
      '1',
      '--out',
      join(dir, 'cwrf'),
    );
    got.cwrf = { ...files('cwrf', ['model']), testAccuracy: c.metrics.testAccuracy, critical: c.metrics.stages[0].info.critical };
    const rw = await cwrf(
      'defend',
      join(dir, 'base'),
      '--method',
      'rewind',
      '--score',
      'tfo',
      '--ratio',
      '0.05',
      '--threads',
      '1',
      '--out',
      join(dir, 'rewind'),
    );
    got.rewind = { ...files('rewind', ['model']), testAccuracy: rw.metrics.testAccuracy };
    const dpf = await cwrf(
      'defend',
      join(dir, 'base'),
      '--method',
      'cwrf',
      '--score',
      'magnitude',
      '--objective',
      'dpsgd',
      '--noise-multiplier',
      '1',
      '--epochs',
      '1',
      '--threads',
      '1',
      '--out',
      join(dir, 'cwrf-dp'),
    );
    // DP-SGD's one encoding: the fine-tune's DP settings live in the stage, not in the recipe (which a replay would apply to the base)
    assert.equal(dpf.recipe.dp, undefined);
    assert.deepEqual(dpf.recipe.defenses[0].dp, { maxGradNorm: 1, noiseMultiplier: 1, delta: 1e-5 });
    got.cwrfDp = { ...files('cwrf-dp', ['model']), testAccuracy: dpf.metrics.testAccuracy };
    const a = await cwrf('audit', join(dir, 'cwrf'), '--refs', '2', '--workers', '1');
    got.audit = {
      signals: sha(join(dir, 'cwrf', 'audit', 'signals.safetensors')),
      references: a.references.map((r: { seed: number; testAccuracy: number }) => [r.seed, r.testAccuracy]),
      auc: Object.fromEntries(a.attacks.map((x: { name: string; metrics: { auc: number } }) => [x.name, x.metrics.auc])),
    };
    check(got, set!.golden);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

test('golden: every architecture builds the recorded initial weights and outputs', { skip }, () => {
  const cases: [ModelSpec, number[]][] = [
    [{ arch: 'mlp', hidden: [8, 4], activation: 'tanh' }, [6]],
    [{ arch: 'mlp', hidden: [8], activation: 'relu' }, [1, 4, 4]],
    [{ arch: 'smallcnn', norm: 'none' }, [1, 8, 8]],
    [{ arch: 'smallcnn', norm: 'group' }, [3, 8, 8]],
    [{ arch: 'resnet18', norm: 'batch' }, [3, 8, 8]],
    [{ arch: 'resnet18', norm: 'group' }, [1, 8, 8]],
  ];
  const got: string[] = [];
  for (const [spec, shape] of cases) {
    const m = buildModel(spec, shape, 3, new Generator(7));
    const h = createHash('sha256');
    for (const [k, v] of Object.entries(m.stateDict()))
      h.update(k)
        .update(JSON.stringify(v.shape))
        .update(new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
    const n = shape.reduce((a, b) => a * b, 1);
    const x = tensor(
      Float32Array.from({ length: 2 * n }, (_, i) => Math.sin(i)),
      [2, ...shape],
    );
    m.eval();
    const y = noGrad(() => m.forward(x));
    h.update(new Uint8Array(y.toFloat32().buffer));
    got.push(h.digest('hex').slice(0, 16));
    m.dispose();
  }
  check(got, set!.models);
});
