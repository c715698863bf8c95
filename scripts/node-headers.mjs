#!/usr/bin/env node
// Finds a local copy of Node's C headers for the native build, so that node-gyp needs no download from
// nodejs.org. Shared by scripts/ensure.sh (a checkout) and scripts/install.mjs (the installed package).
// Looked for, in this order, a folder with include/node/node_api.h of this Node's major version:
//   1. $npm_config_nodedir (npm's `nodedir` setting, or set by hand),
//   2. the prefix this node runs from (<prefix>/bin/node: official tarballs, nvm, Debian's libnode-dev in /usr),
//   3. node-gyp's own download cache ($npm_config_devdir, else ~/.cache/node-gyp/<version>).
// Usage: node scripts/node-headers.mjs   prints --nodedir=DIR; none found: one line on stderr, exit 1.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The major version in <dir>/include/node/node_version.h, or null when it cannot be read. */
function headerMajor(dir) {
  try {
    const m = /#define\s+NODE_MAJOR_VERSION\s+(\d+)/.exec(readFileSync(join(dir, 'include', 'node', 'node_version.h'), 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * The headers folder node-gyp's --nodedir takes: `{ dir }`, or `{ missing }`, one line saying what is missing
 * and where it was looked for. `execPath`, `env` and `version` default to this process's.
 */
export function findNodeHeaders(execPath = process.execPath, env = process.env, version = process.version) {
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  const bare = version.replace(/^v/, '');
  const cache = env.npm_config_devdir || join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'node-gyp');
  const candidates = [env.npm_config_nodedir, join(dirname(execPath), '..'), join(cache, bare)].filter(Boolean).map((d) => resolve(d));
  const wrong = [];
  for (const dir of [...new Set(candidates)]) {
    if (!existsSync(join(dir, 'include', 'node', 'node_api.h'))) continue;
    const m = headerMajor(dir);
    if (m === major) return { dir };
    wrong.push(`${join(dir, 'include', 'node')} holds Node ${m ?? '?'}'s`);
  }
  const looked = [...new Set(candidates)].map((d) => join(d, 'include', 'node')).join(', ');
  return {
    missing:
      `Node ${version}'s headers (node_api.h) are not installed: looked in ${looked}${wrong.length ? ` (${wrong.join('; ')})` : ''}; ` +
      `node-gyp will try to download them from nodejs.org; offline, install them (Debian's own node: apt-get install libnode-dev) ` +
      `or set npm_config_nodedir to an unpacked node-${version}-headers.tar.gz`,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const h = findNodeHeaders();
  if ('dir' in h) console.log(`--nodedir=${h.dir}`);
  else {
    console.error(`cwrf setup: ${h.missing}`);
    process.exit(1);
  }
}
