// Test helpers for the CLI end-to-end tests: run bin/cwrf.mjs in a child process, check input errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI's entry script. */
export const BIN = fileURLToPath(new URL('../../bin/cwrf.mjs', import.meta.url));

/** What a CLI run returned. */
export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

/** Runs `cwrf ...args` with `env` and waits for it. */
export function runCli(env: NodeJS.ProcessEnv, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Asserts an input error: exit 2, one line on stderr matching `pattern`, no stack trace. */
export function assertOneLineError(r: { code: number | null; err: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit code ${r.code}, stderr: ${r.err}`);
  const lines = r.err.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got: ${r.err}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
}
