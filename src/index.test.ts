// The package's shape without packing it (src/index.slow.test.ts packs and installs it): the entry exports the
// documented API, package.json points at what the build emits, and the install script explains a missing libtorch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  for (const f of ['dist', 'bin', 'native/src', 'native/binding.gyp', 'scripts/find-libtorch.mjs', 'scripts/install.mjs', 'scripts/node-headers.mjs'])
    assert.ok(pkg.files.includes(f), f);
  const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
  assert.equal(build.compilerOptions.rootDir, 'src');
  assert.equal(build.compilerOptions.outDir, 'dist');
  assert.equal(build.compilerOptions.rewriteRelativeImportExtensions, true);
});

test('install script outside a checkout: a bad libtorch is one clear message with the install commands, exit 1', () => {
  const d = mkdtempSync(join(tmpdir(), 'cwrf-install-'));
  mkdirSync(join(d, 'scripts'));
  for (const f of ['install.mjs', 'find-libtorch.mjs', 'node-headers.mjs']) copyFileSync(join(ROOT, 'scripts', f), join(d, 'scripts', f));
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

test("node-headers: Node's headers from npm_config_nodedir, then node's own prefix, then node-gyp's cache, of this major version; none is one line", () => {
  const d = mkdtempSync(join(tmpdir(), 'cwrf-headers-'));
  const major = Number(process.versions.node.split('.')[0]);
  const headers = (dir: string, m: number) => {
    mkdirSync(join(dir, 'include', 'node'), { recursive: true });
    writeFileSync(join(dir, 'include', 'node', 'node_api.h'), '');
    writeFileSync(join(dir, 'include', 'node', 'node_version.h'), `#define NODE_MAJOR_VERSION ${m}\n`);
  };
  headers(join(d, 'prefix'), major);
  headers(join(d, 'explicit'), major);
  headers(join(d, 'old'), major - 2);
  headers(join(d, 'home', '.cache', 'node-gyp', process.versions.node), major);
  const find = (execPath: string, env: Record<string, string>) => {
    const code = `import(${JSON.stringify(join(ROOT, 'scripts', 'node-headers.mjs'))}).then((m) => console.log(JSON.stringify(m.findNodeHeaders(${JSON.stringify(execPath)}, ${JSON.stringify(env)}))))`;
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { dir?: string; missing?: string };
  };
  const node = join(d, 'prefix', 'bin', 'node');
  assert.deepEqual(find(node, { HOME: join(d, 'empty') }), { dir: join(d, 'prefix') });
  assert.deepEqual(find(node, { HOME: join(d, 'empty'), npm_config_nodedir: join(d, 'explicit') }), { dir: join(d, 'explicit') });
  assert.deepEqual(find(join(d, 'none', 'bin', 'node'), { HOME: join(d, 'home') }), { dir: join(d, 'home', '.cache', 'node-gyp', process.versions.node) });
  const none = find(join(d, 'none', 'bin', 'node'), { HOME: join(d, 'empty'), npm_config_nodedir: join(d, 'old') });
  assert.equal(none.dir, undefined);
  assert.doesNotMatch(none.missing!, /\n/);
  assert.match(none.missing!, new RegExp(`^Node v${process.versions.node}'s headers \\(node_api\\.h\\) are not installed: looked in .*old/include/node, .*none/include/node, .*empty/\\.cache/node-gyp/`));
  assert.match(none.missing!, new RegExp(`old/include/node holds Node ${major - 2}'s.*download them from nodejs\\.org.*npm_config_nodedir`));
  // the command line prints node-gyp's flag
  const cli = spawnSync(process.execPath, [join(ROOT, 'scripts', 'node-headers.mjs')], { encoding: 'utf8', env: { ...process.env, npm_config_nodedir: join(d, 'explicit') } });
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(cli.stdout, `--nodedir=${join(d, 'explicit')}\n`);
  rmSync(d, { recursive: true, force: true });
});
