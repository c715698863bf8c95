// Tests independent of the caller's environment: the cwrf variables a user may have set (data and cache
// directories, checkpoint interval, debug output, thread counts) are cleared or set by each test that depends on them.

/** Variables the test harness itself reads (where the shared data is, whether it must be, which Python is the peer), kept as given. */
const HARNESS = new Set(['CWRF_SHARED_DATA', 'CWRF_REQUIRE_SHARED_DATA', 'CWRF_PYTHON', 'CWRF_QUIET_SETUP']);
const THREADS = ['OMP_NUM_THREADS', 'MKL_NUM_THREADS'];

function isCwrfVar(k: string): boolean {
  return (k.startsWith('CWRF_') && !HARNESS.has(k)) || THREADS.includes(k);
}

/** A copy of process.env without the cwrf variables, plus `set` (for child processes). */
export function cwrfEnv(set: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!isCwrfVar(k)) env[k] = v;
  return { ...env, ...set };
}

/** Clears the cwrf variables of this process and sets `set` (call before anything reads them). */
export function isolateEnv(set: Record<string, string> = {}): void {
  for (const k of Object.keys(process.env)) if (isCwrfVar(k)) delete process.env[k];
  Object.assign(process.env, set);
}
