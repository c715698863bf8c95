// --queue URL: train an audit's reference models through a Redis/BullMQ queue instead of local processes.
import type { ReferenceExecutor } from '../experiments/index.ts';
import type { Flags, OptionTable } from './command.ts';

export const QUEUE_FLAGS = {
  queue: {
    type: 'string',
    value: 'URL',
    defaultText: 'local processes (--workers)',
    description: 'train reference models on `cwrf worker`s through Redis: redis://[user:password@]host:port[/db], rediss:// for TLS',
  },
} satisfies OptionTable;

/** Runs `body` with the queue executor of --queue (closed afterwards), or with none (local processes). */
export async function withQueue<T>(f: Flags, body: (executor: ReferenceExecutor | undefined) => Promise<T>): Promise<T> {
  const url = f.opt<string>('queue');
  if (url === undefined) return body(undefined);
  const { parseQueueUrl, queueExecutor } = await import('../queue/index.ts');
  const executor = await queueExecutor(parseQueueUrl(url));
  try {
    return await body(executor);
  } finally {
    await executor.close();
  }
}
