// A defense is one entry (ARCHITECTURE.md, "Adding a defense"): this file alone defines one, registers it, and
// the CLI parses its flags, lists it in `cwrf defend --help`, applies it, records it and checks its record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/main.ts';
import { noGrad } from '../engine/index.ts';
import { readSafetensors } from '../io/safetensors.ts';
import { checkNumber } from '../util/check.ts';
import { parseOption, type OptionSpec } from '../util/options.ts';
import { METHODS, stageMethod, type MethodEntry } from './index.ts';

/** The toy's stage: every weight multiplied by `factor`. */
type ScaleStage = { method: 'toy-scale'; factor: number };

const FACTOR: OptionSpec = { type: 'number', min: 0, max: 1, default: 0.5, key: 'factor', description: 'factor every weight is multiplied by (toy test defense)' };

const toyScale: MethodEntry<ScaleStage> = {
  name: 'toy-scale',
  description: 'multiply every weight by --toy-factor (a defense defined in a test)',
  options: { 'toy-factor': FACTOR },
  tunables: [],
  usesObjective: false,
  stage: {
    parse: (values) => ({ method: 'toy-scale', factor: checkNumber(values['toy-factor'] === undefined ? FACTOR.default : parseOption('toy-factor', FACTOR, values['toy-factor']), 'toy factor') }),
    validate: (s) => ({ method: 'toy-scale', factor: checkNumber(s.factor, 'toy factor', { min: FACTOR.min, max: FACTOR.max }) }),
    apply(s, ctx) {
      noGrad(() => {
        for (const [, p] of ctx.trained.model.namedParameters()) p.mul_(s.factor);
      });
      return { history: [], info: { scaled: ctx.trained.model.namedParameters().length } };
    },
  },
};

test('a defense defined in a test file alone registers, parses its flags, appears in --help, runs and is checked on replay', async () => {
  METHODS.add(toyScale);
  const dir = mkdtempSync(join(tmpdir(), 'cwrf-toy-'));
  const cwrf = async (...args: string[]): Promise<{ code: number; out: string }> => {
    let out = '';
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
      typeof chunk === 'string' ? ((out += chunk), true) : write.call(process.stdout, chunk, ...rest)) as typeof process.stdout.write;
    try {
      return { code: await main(args), out };
    } finally {
      process.stdout.write = write;
    }
  };
  try {
    const help = await cwrf('defend', '--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /--method cwrf\|finetune-all\|retrain\|prune\|rewind\|toy-scale/);
    assert.match(help.out, /--toy-factor X\s+factor every weight is multiplied by \(toy test defense\)/);

    const csv = join(dir, 'data.csv');
    writeFileSync(csv, Array.from({ length: 120 }, (_, i) => `${i % 3},${(i % 3) + (i % 7) / 7},${(i % 5) / 5},${(i % 11) / 11}`).join('\n'));
    const base = join(dir, 'base');
    const trained = await cwrf('train', '--dataset', `csv:${csv}`, '--hidden', '4', '--epochs', '1', '--threads', '1', '--quiet', '--out', base);
    assert.equal(trained.code, 0);
    const out = join(dir, 'toy');
    const defended = await cwrf('defend', base, '--method', 'toy-scale', '--toy-factor', '0.25', '--threads', '1', '--quiet', '--json', '--out', out);
    assert.equal(defended.code, 0);
    assert.deepEqual(JSON.parse(defended.out).recipe.defenses, [{ method: 'toy-scale', factor: 0.25 }]);
    const before = (await readSafetensors(join(base, 'model.safetensors'))).tensors;
    const after = (await readSafetensors(join(out, 'model.safetensors'))).tensors;
    for (const [name, t] of Object.entries(before)) {
      const a = Array.from(after[name].data as Float32Array);
      assert.deepEqual(a, Array.from(t.data as Float32Array, (v) => Math.fround(v * 0.25)), name);
    }
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).recipe.defenses, [{ method: 'toy-scale', factor: 0.25 }]);

    // a recorded stage goes through its method's check before it is applied (applyDefense: targets and references)
    assert.throws(() => stageMethod('toy-scale').validate({ method: 'toy-scale', factor: 2 }), /toy factor must be <= 1, got 2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
