// The local executor: trains references in child processes, `workers` at a time, one process per model.
import { fork } from 'node:child_process';
import { workerCount } from '../engine/threads.ts';
import { siblingEntry } from '../util/entry.ts';
import { InputError } from '../util/errors.ts';
import { notice } from '../util/notice.ts';
import type { ChildMessage, ParentMessage, ReferenceOutcome, ReferenceProgress, ReferenceTask } from './reference-task.ts';
import type { ReferenceExecutor } from './refs.ts';

const child = siblingEntry(import.meta.url, 'reference-child');

/** Runs one task in a fresh child process (processReference there); resolves with its outcome. */
export function runInChild(task: ReferenceTask, onProgress?: (p: ReferenceProgress) => void, signal?: AbortSignal): Promise<ReferenceOutcome> {
  return new Promise((resolve, reject) => {
    const proc = fork(child.file, [], { execArgv: child.execArgv, serialization: 'json', stdio: ['ignore', 'ignore', 'pipe', 'ipc'], signal });
    let stderr = '';
    let outcome: ReferenceOutcome | null = null;
    let error: Error | null = null;
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('message', (m: ChildMessage) => {
      if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'notice') notice(m.line, m.line);
      else if (m.type === 'done') outcome = m.outcome;
      else error = m.input ? new InputError(m.message) : new Error(m.message);
    });
    proc.on('error', (e) => (error ??= e));
    proc.on('close', (code, sig) => { // after 'exit' and the last message
      if (outcome && !error) resolve(outcome);
      else reject(error ?? new Error(`reference process ${sig ? `killed by ${sig}` : `exited with code ${code}`}: ${crashLine(stderr)}`));
    });
    proc.send({ type: 'task', task } satisfies ParentMessage);
  });
}

/** The line of a crashed child's stderr that says what went wrong (the thrown error's, not Node's version line). */
export function crashLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^(\w*Error|Uncaught|FATAL|terminate called)\b|^\[?ioredis\]?|Error: /.test(l)) ?? lines.filter((l) => !/^Node\.js v/.test(l)).pop() ?? '(no output)';
}

/** The local process pool: `workers` children at a time (default: workerCount()), each with its task's threads. */
export function localPool(workers = workerCount()): ReferenceExecutor {
  return {
    async run(tasks, on) {
      const lanes = Math.max(1, Math.min(workers, tasks.length));
      let next = 0;
      const lane = async () => {
        while (next < tasks.length) {
          const i = next++;
          await on.result(i, await runInChild(tasks[i], (p) => on.progress(i, p)));
        }
      };
      await Promise.all(Array.from({ length: lanes }, lane));
    },
  };
}
