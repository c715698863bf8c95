// Child-process entry points that resolve both in the TypeScript sources (run through tsx) and in the compiled dist/.
import { fileURLToPath } from 'node:url';

/** What to fork for the module `name` beside the module at `from` (its import.meta.url): the file and the node flags it needs. */
export function workerEntry(from: string, name: string): { file: string; execArgv: string[] } {
  const source = from.endsWith('.ts');
  const file = fileURLToPath(new URL(`./${name}.${source ? 'ts' : 'js'}`, from));
  // tsx is resolved here, not from the caller's working directory, so a checkout's CLI runs from anywhere.
  return { file, execArgv: source ? ['--import', import.meta.resolve('tsx')] : [] };
}
