// Notices: one-line warnings from library code (a damaged cache entry discarded, ...). The CLI prints them
// with its log lines; a reference child process forwards them to its parent.

let sink: (line: string) => void = (line) => void process.stderr.write(`${line}\n`);
const said = new Set<string>();

/** Routes every later notice to `fn` (the CLI's stderr log, a child's IPC channel). */
export function setNoticeSink(fn: (line: string) => void): void {
  sink = fn;
}

/** Prints a one-line notice; with `once`, only the first notice of that key in this process. */
export function notice(line: string, once?: string): void {
  if (once !== undefined) {
    if (said.has(once)) return;
    said.add(once);
  }
  sink(line);
}
