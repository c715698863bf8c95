// cwrf command line: `cwrf <command> [flags]`. Exit codes: 0 ok, 1 failure, 2 bad usage or input.
import { parseArgs } from 'node:util';
import { InputError } from '../util/errors.ts';
import { setNoticeSink } from '../util/notice.ts';
import type { Command, Io } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { flagHelp, Flags, nearestFlag, parseArgsOptions, type RawValues } from './flags.ts';

/** `cwrf --help`. */
export function usage(): string {
  const rows = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`);
  return [
    'cwrf: membership-inference audits and the CWRF weight-level defense',
    '',
    'usage: cwrf <command> [flags]     cwrf <command> --help     cwrf --version',
    '',
    'commands:',
    ...rows,
    '',
    'every command takes --json (machine-readable result on stdout) and --quiet.',
    'exit codes: 0 ok, 1 failure, 2 bad usage or input.',
  ].join('\n');
}

/** `cwrf <command> --help`: usage, examples, and every flag with its description, value type and default. */
export function commandHelp(name: string, c: Command): string {
  return [`cwrf ${name}: ${c.summary}`, '', `usage: ${c.usage}`, '', 'examples:', ...c.examples.map((e) => `  ${e}`), '', 'flags:', ...flagHelp(c.flags)].join('\n');
}

function makeIo(json: boolean, quiet: boolean): Io {
  return {
    json,
    quiet,
    log: (l) => {
      if (!json && !quiet) process.stdout.write(`${l}\n`);
    },
    err: (l) => {
      if (!quiet) process.stderr.write(`${l}\n`);
    },
  };
}

/** The parse error as one line, with the nearest flag for an unknown one. */
function parseErrorLine(c: Command, e: Error): string {
  const first = e.message.split('\n')[0];
  const unknown = /Unknown option '-{1,2}([^']+)'/.exec(first);
  if (!unknown) return first;
  const near = nearestFlag(c.flags, unknown[1]);
  return `Unknown option '--${unknown[1]}'${near ? `; did you mean --${near}?` : ''}`;
}

/** Runs the CLI and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V') {
    const { versions } = await import('../runs/versions.ts');
    const v = versions();
    process.stdout.write(`cwrf ${v.cwrf}\nlibtorch ${v.libtorch}\nblas ${v.blas}\nnode ${v.node}\n`);
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`cwrf: unknown command '${name}' (see cwrf --help)\n`);
    return 2;
  }
  let values: RawValues;
  let positionals: string[];
  try {
    const parsed = parseArgs({ args: rest, options: parseArgsOptions(cmd.flags), allowPositionals: true, strict: true });
    values = parsed.values as RawValues;
    positionals = parsed.positionals;
  } catch (e) {
    process.stderr.write(`cwrf ${name}: ${parseErrorLine(cmd, e as Error)} (see cwrf ${name} --help)\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${commandHelp(name, cmd)}\n`);
    return 0;
  }
  const io = makeIo(Boolean(values.json), Boolean(values.quiet));
  setNoticeSink(io.err);
  try {
    const result = await cmd.run(new Flags(cmd.flags, values), positionals, io);
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (e) {
    const err = e as Error;
    if (process.env.CWRF_DEBUG) process.stderr.write(`${err.stack}\n`);
    const msg = (err.message || String(e)).split('\n')[0];
    process.stderr.write(`cwrf ${name}: ${e instanceof InputError ? 'error: ' : ''}${msg}\n`);
    return e instanceof InputError ? 2 : 1;
  }
}
