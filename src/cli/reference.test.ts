// One source for flags: every registered name reaches --help and docs/cli.md's reference, docs/cli.md is in
// sync with the tables, unknown flags get the nearest suggestion, --version names all three versions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ATTACKS } from '../attacks/index.ts';
import { METHODS, SCORES } from '../defenses/index.ts';
import { MODELS } from '../nn/index.ts';
import { OBJECTIVES } from '../train/index.ts';
import { Registry } from '../util/options.ts';
import { COMMANDS } from './commands/index.ts';
import { editDistance, nearestFlag } from './flags.ts';
import { commandHelp } from './main.ts';
import { cliReference, withReference } from './reference.ts';
import { cwrfEnv } from '../util/_testing.ts';

const REFERENCE = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
const BIN = fileURLToPath(new URL('../../bin/cwrf.mjs', import.meta.url));

test('docs/cli.md is the command reference the flag tables generate (npm run docs:cli)', () => {
  assert.equal(withReference(REFERENCE), REFERENCE, 'docs/cli.md is out of date: run npm run docs:cli');
});

test('every registered name appears in --help and in the command reference', () => {
  const help = (c: string) => commandHelp(c, COMMANDS[c]);
  const ref = cliReference();
  const where: [string, Registry<{ name: string; description: string }>][] = [
    ['train', MODELS],
    ['train', OBJECTIVES],
    ['defend', METHODS],
    ['defend', SCORES],
    ['score', SCORES],
    ['audit', ATTACKS],
  ];
  for (const [cmd, reg] of where)
    for (const name of reg.names()) {
      assert.match(help(cmd), new RegExp(`\\b${name}\\b`), `cwrf ${cmd} --help lacks ${reg.kind} '${name}'`);
      assert.ok(ref.includes(name), `command reference lacks ${reg.kind} '${name}'`);
    }
  // every option a registry entry reads is a flag of the command
  for (const reg of [MODELS, OBJECTIVES])
    for (const flag of Object.keys(reg.options())) assert.ok(flag in COMMANDS.train.flags, `--${flag}`);
  for (const reg of [METHODS, SCORES]) for (const flag of Object.keys(reg.options())) assert.ok(flag in COMMANDS.defend.flags, `--${flag}`);
});

test('every flag of every command has a description, a value type and a default in --help', () => {
  for (const [name, c] of Object.entries(COMMANDS)) {
    const lines = commandHelp(name, c).split('\n');
    for (const flag of Object.keys(c.flags)) {
      const line = lines.find((l) => l.trimStart().startsWith(`--${flag} `) || l.trim() === `--${flag}`);
      assert.ok(line, `cwrf ${name} --help lacks --${flag}`);
      assert.match(line, /\S+ .*\[.+; default: .+\]$/, `cwrf ${name} --${flag}: ${line}`);
    }
  }
});

test('registries reject duplicate names and name the known ones for an unknown name', () => {
  const r = new Registry<{ name: string; description: string }>('thing').add({ name: 'a', description: 'x' });
  assert.throws(() => r.add({ name: 'a', description: 'y' }), /thing 'a' is registered twice/);
  assert.throws(() => r.get('b'), /unknown thing 'b' \(a\)/);
  assert.throws(() => MODELS.add(MODELS.get('mlp')), /registered twice/);
});

test('nearest flag by edit distance', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(nearestFlag(COMMANDS.train.flags, 'lrr'), 'lr');
  assert.equal(nearestFlag(COMMANDS.defend.flags, 'ration'), 'ratio');
});

test('an unknown flag: one line naming the nearest flag, exit 2; --version prints cwrf, libtorch and Node versions', () => {
  const r = spawnSync(process.execPath, [BIN, 'train', '--epoch', '3'], { encoding: 'utf8', env: cwrfEnv() });
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /Unknown option '--epoch'; did you mean --epochs\?/);
  const v = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8', env: cwrfEnv() });
  assert.equal(v.status, 0, v.stderr);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.match(
    v.stdout,
    new RegExp(`^cwrf ${pkg.version.replace(/\./g, '\\.')}\nlibtorch \\d+\\.\\d+\\S*\nblas .+\nnode ${process.version.replace(/\./g, '\\.')}\n$`),
  );
});
