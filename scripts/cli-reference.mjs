#!/usr/bin/env node
// Rewrites docs/cli.md's command reference from the CLI's flag tables (npm run docs:cli).
import { readFileSync, writeFileSync } from 'node:fs';
import { register } from 'tsx/esm/api';

register();
const { withReference } = await import('../src/cli/reference.ts');
const file = new URL('../docs/cli.md', import.meta.url);
const before = readFileSync(file, 'utf8');
const after = withReference(before);
if (after !== before) writeFileSync(file, after);
console.log(after === before ? 'docs/cli.md: command reference up to date' : 'docs/cli.md: command reference updated');
