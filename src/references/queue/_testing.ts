// Test helpers: a real redis-server on a free loopback port, and the cwrf command line.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../../bin/cwrf.mjs', import.meta.url));
/** The dataset of the queue tests: generated alike on every machine, a spec with parameters (as a job carries it). */
export const DATASET = 'synthetic:n=2000,seed=3';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const c = connect(port, '127.0.0.1', () => (c.end(), r(true)));
      c.once('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`redis-server did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts redis-server on 127.0.0.1 only (no persistence), on `port` (default: a free one); `stop()` ends it. */
export async function startRedis(extra: string[] = [], port?: number): Promise<{ port: number; url: string; stop(): void }> {
  if (spawnSync('redis-server', ['--version']).error) throw new Error('redis-server is not installed (bash scripts/ensure.sh installs it)');
  port ??= await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra], { stdio: 'ignore' });
  await waitForPort(port, 10000);
  return { port, url: `redis://127.0.0.1:${port}`, stop: () => proc.kill('SIGKILL') };
}

/** Runs cwrf to completion. */
export function cwrf(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}

/** A running `cwrf worker`, its log so far, and a way to wait for a line. */
export interface WorkerProc {
  proc: ChildProcess;
  log(): string;
  waitFor(re: RegExp, ms?: number): Promise<void>;
}

export function startWorker(env: NodeJS.ProcessEnv, ...args: string[]): WorkerProc {
  const proc = spawn(process.execPath, [BIN, 'worker', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const waiters: { re: RegExp; done(): void }[] = [];
  proc.stderr!.on('data', (d: Buffer) => {
    log += d.toString();
    for (const w of waiters.splice(0)) if (w.re.test(log)) w.done();
    else waiters.push(w);
  });
  return {
    proc,
    log: () => log,
    waitFor: (re, ms = 60000) =>
      new Promise((resolve, reject) => {
        if (re.test(log)) return resolve();
        const t = setTimeout(() => reject(new Error(`worker never logged ${re}; log:\n${log}`)), ms);
        waiters.push({ re, done: () => (clearTimeout(t), resolve()) });
      }),
  };
}

/** Sends SIGTERM and waits for the worker to exit; returns its exit code. */
export function stopWorker(w: WorkerProc): Promise<number | null> {
  if (w.proc.exitCode !== null || w.proc.signalCode !== null) return Promise.resolve(w.proc.exitCode);
  return new Promise((resolve) => {
    w.proc.once('exit', (code) => resolve(code));
    w.proc.kill('SIGTERM');
  });
}
