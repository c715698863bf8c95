// Where a module forked as a child process lives: beside its caller, compiled (a dist/ build) or source.
import { fileURLToPath } from 'node:url';

/** The file and Node flags to fork module `name` next to `callerUrl`: `.js` from a compiled build, `.ts` through tsx from sources. */
export function siblingEntry(callerUrl: string, name: string): { file: string; execArgv: string[] } {
  const compiled = !callerUrl.endsWith('.ts');
  return {
    file: fileURLToPath(new URL(`./${name}${compiled ? '.js' : '.ts'}`, callerUrl)),
    // tsx resolved here, not from the working directory: a checkout's CLI run from elsewhere can fork too.
    execArgv: compiled ? [] : ['--import', import.meta.resolve('tsx')],
  };
}
