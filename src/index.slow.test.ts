// The package as a user gets it: `npm pack`, `npm install ./cwrf-X.tgz` into an empty project (the install
// builds the native addon), then `npx cwrf --help`, an ESM import, the README's library example verbatim, and a
// TypeScript check against the shipped declarations. 4.7 min on the shared 2-core machine at load ~15 (67 s of CPU).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cwrfEnv } from './util/_testing.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cwrf-package-'));
const project = join(dir, 'project');
const env = cwrfEnv({ CWRF_CACHE_DIR: join(dir, 'cache') });
after(() => rmSync(dir, { recursive: true, force: true }));

function sh(cmd: string, args: string[], cwd: string, timeout = 600_000) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The README's library example: the ```js block of the "## Library" section. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Library'));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'README library section has a ```js example');
  return m[1];
}

test('npm pack -> npm install in an empty project -> CLI, ESM import, README example, TypeScript types', () => {
  sh('npm', ['pack', '--pack-destination', dir, '--loglevel=error'], ROOT);
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const tarball = join(dir, `cwrf-${version}.tgz`);
  assert.ok(existsSync(tarball), tarball);
  const files = sh('tar', ['tzf', tarball], dir).split('\n');
  for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/references/reference-child.js', 'native/binding.gyp', 'native/src/addon.cc', 'bin/cwrf.mjs'])
    assert.ok(files.includes(`package/${f}`), `tarball has ${f}`);
  assert.ok(!files.some((f) => f.startsWith('package/src/') || f.endsWith('.test.js')), 'no sources or tests in the tarball');

  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-cwrf', private: true, type: 'module' }));
  sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], project);
  assert.ok(existsSync(join(project, 'node_modules/cwrf/native/build/Release/cwrf_native.node')), 'the install built the addon');

  const help = sh('npx', ['--no-install', 'cwrf', '--help'], project);
  assert.match(help, /usage: cwrf <command>/);
  assert.match(sh('npx', ['--no-install', 'cwrf', 'train', '--help'], project), /usage: cwrf train/);

  writeFileSync(
    join(project, 'import.mjs'),
    "import { train, audit, defend, loadRun, versions } from 'cwrf';\n" +
      'console.log(JSON.stringify({ fns: [train, audit, defend, loadRun].map((f) => typeof f), versions: versions() }));\n',
  );
  const imported = JSON.parse(sh('node', ['import.mjs'], project)) as { fns: string[]; versions: Record<string, string> };
  assert.deepEqual(imported.fns, ['function', 'function', 'function', 'function']);
  assert.equal(imported.versions.cwrf, version);

  writeFileSync(
    join(project, 'check.ts'),
    [
      "import { audit, train, defaultRecipe, loadRun, type Recipe, type Run, type AuditResult } from 'cwrf';",
      "const r: Recipe = defaultRecipe('mnist');",
      'const epochs: number = r.epochs;',
      "const run: Promise<Run> = loadRun('x');",
      "const auc = (a: AuditResult): number => a.attacks[0].metrics.auc;",
      '// @ts-expect-error: a recipe has no such field',
      'const bad: string = r.nosuch;',
      'export { epochs, run, auc, bad, audit, train };',
      '',
    ].join('\n'),
  );
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  // a project without @types/node: the package's public types stand alone
  sh(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', '', 'check.ts'], project);

  writeFileSync(join(project, 'example.mjs'), readmeExample());
  const out = sh('node', ['example.mjs'], project);
  assert.match(out, /^target: train accuracy 0\.\d+, test 0\.\d+$/m);
  assert.match(out, /^lira-online-fixed: AUC 0\.\d+ -> 0\.\d+, TPR at 0\.1% FPR/m);
  assert.ok(existsSync(join(project, 'runs/mnist-rewind/audit/report.html')), 'the example wrote its audit report');
});
