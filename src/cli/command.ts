// The shape of a CLI command and the flag tables several commands share.
import type { Flags, OptionTable } from './flags.ts';

export type { OptionTable } from './flags.ts';
export { Flags } from './flags.ts';

/** Where a command writes: human lines (suppressed by --quiet/--json) and the final result. */
export interface Io {
  json: boolean;
  quiet: boolean;
  log(line: string): void;
  err(line: string): void;
}

export interface Command {
  summary: string;
  usage: string;
  examples: string[];
  /** Every flag of the command: parsing, defaults, --help and the README reference all read this table. */
  flags: OptionTable;
  /** Returns the machine-readable result (printed with --json). */
  run(f: Flags, positionals: string[], io: Io): Promise<unknown>;
}

/** Flags of every command. */
export const COMMON: OptionTable = {
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  json: { type: 'boolean', description: 'print the machine-readable result on stdout' },
  quiet: { type: 'boolean', short: 'q', description: 'no progress or log lines' },
};

/** Flags of every command that reads a dataset. */
export const DATA: OptionTable = {
  'data-dir': {
    type: 'string',
    value: 'DIR',
    defaultText: "$CWRF_DATA_DIR, then ~/.cache/cwrf/data (on a run: its recorded directory first)",
    description: 'where dataset files are looked for',
  },
  'label-column': {
    type: 'string',
    value: 'NAME|first|last|N',
    defaultText: "first (on a run: the run's)",
    description: 'label column of a csv: dataset: a header name, first, last or a 0-based index (-1: the last); recorded in the run',
  },
  limit: { type: 'int', min: 1, defaultText: "all rows (on a run: the run's)", description: 'use only the first N examples of each split; recorded in the run' },
};

/** --threads of the commands that train in this process. */
export const THREADS: OptionTable = {
  threads: { type: 'int', min: 1, defaultText: '$CWRF_THREADS, else 1', description: 'libtorch intra-op threads of every model trained (recorded; see Threads in the README)' },
};

/** --force of every command that writes an output (src/io/output.ts decides what it allows). */
export const FORCE: OptionTable = {
  force: {
    type: 'boolean',
    description: 'replace an existing non-empty output (refused without it; bench and demo continue their own output either way)',
  },
};

/** --out (and --force) of commands writing a directory or file. */
export function outFlag(defaultText: string, description = 'output directory', value = 'DIR'): OptionTable {
  return { out: { type: 'string', short: 'o', value, ...(defaultText ? { defaultText } : {}), description }, ...FORCE };
}
