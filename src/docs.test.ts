// The documentation holds together: every relative link in README.md, ARCHITECTURE.md and docs/ resolves (to a
// file, and to a heading when it names one), and docs/api.md documents every export of the package entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? markdownFiles(p) : n.endsWith('.md') ? [p] : [];
  });
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set(text.split('\n').filter((l) => /^#{1,6} /.test(l)).map((l) => slug(l.replace(/^#+ /, ''))));
}

test('every relative link in the README and docs resolves', () => {
  const files = [join(ROOT, 'README.md'), join(ROOT, 'ARCHITECTURE.md'), ...markdownFiles(join(ROOT, 'docs'))].filter(existsSync);
  assert.ok(files.length > 5);
  const broken: string[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^(https?:|mailto:)/.test(target)) continue;
      const [path, hash] = target.split('#');
      const resolved = path ? join(dirname(f), path) : f;
      if (!existsSync(resolved)) broken.push(`${relative(ROOT, f)}: ${target} (no such file)`);
      else if (hash && resolved.endsWith('.md') && !anchors(resolved).has(hash)) broken.push(`${relative(ROOT, f)}: ${target} (no such heading)`);
    }
  }
  assert.deepEqual(broken, []);
});

test('docs/api.md documents every export of src/index.ts', () => {
  const entry = readFileSync(join(ROOT, 'src/index.ts'), 'utf8');
  const names = new Set<string>();
  for (const m of entry.matchAll(/export (?:type )?\{([^}]*)\}/g))
    for (const part of m[1].split(',')) {
      const name = part.trim().replace(/^type /, '').split(/\s+as\s+/).pop()!.trim();
      if (name) names.add(name);
    }
  assert.ok(names.size > 40, `found ${names.size} exports`);
  const api = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');
  const missing = [...names].filter((n) => !api.includes(`\`${n}\``));
  assert.deepEqual(missing, [], 'exports without a line in docs/api.md');
});
