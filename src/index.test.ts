// The package's shape without packing it (src/index.slow.test.ts packs and installs it): the entry exports the
// documented API, package.json points at what the build emits, and the install script explains a missing libtorch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cwrf from './index.ts';
import { cwrfEnv } from './util/_testing.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

test('the entry exports the typed API', () => {
  for (const f of ['train', 'audit', 'defend', 'loadRun', 'analyze', 'bench', 'defaultRecipe', 'cwrfStage', 'runAttacks', 'epsilon'] as const)
    assert.equal(typeof cwrf[f], 'function', f);
  const recipe: cwrf.Recipe = cwrf.defaultRecipe('mnist');
  assert.equal(cwrf.validateRecipe(recipe), recipe);
  assert.equal(cwrf.cwrfStage('rewind', {}, recipe).epochs, 0);
});

test('package.json: exports, types and bin point at the compiled build of src/index.ts; the tarball holds the native sources', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    main: string;
    types: string;
    exports: Record<string, { types: string; default: string } | string>;
    files: string[];
    scripts: Record<string, string>;
    bin: Record<string, string>;
  };
  assert.deepEqual(pkg.exports['.'], { types: './dist/index.d.ts', default: './dist/index.js' });
  assert.equal(pkg.main, './dist/index.js');
  assert.equal(pkg.types, './dist/index.d.ts');
  assert.match(pkg.scripts.prepack, /build/);
  assert.match(pkg.scripts.install, /scripts\/install\.mjs/);
  for (const f of ['dist', 'bin', 'native/src', 'native/binding.gyp', 'scripts/find-libtorch.mjs', 'scripts/install.mjs']) assert.ok(pkg.files.includes(f), f);
  const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
  assert.equal(build.compilerOptions.rootDir, 'src');
  assert.equal(build.compilerOptions.outDir, 'dist');
  assert.equal(build.compilerOptions.rewriteRelativeImportExtensions, true);
});

test('install script outside a checkout: a bad libtorch is one clear message with the install commands, exit 1', () => {
  const d = mkdtempSync(join(tmpdir(), 'cwrf-install-'));
  mkdirSync(join(d, 'scripts'));
  for (const f of ['install.mjs', 'find-libtorch.mjs']) copyFileSync(join(ROOT, 'scripts', f), join(d, 'scripts', f));
  const r = spawnSync(process.execPath, [join(d, 'scripts', 'install.mjs')], { encoding: 'utf8', env: cwrfEnv({ LIBTORCH: join(d, 'nope') }) });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^cwrf: LIBTORCH=.*nope has no include\/torch.*cannot be built/);
  assert.match(r.stderr, /apt-get install libtorch-dev/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

test('install script in a checkout does nothing (scripts/ensure.sh builds the addon)', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'install.mjs')], { encoding: 'utf8', env: cwrfEnv({ LIBTORCH: '/nonexistent' }) });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
});
