// --queue URL: train an audit's reference models through a Redis/BullMQ queue instead of local processes;
// --redis-timeout: how long a coordinator or worker waits for a lost Redis before it gives up.
import type { ReferenceExecutor } from '../references/index.ts';
import { REDIS_TIMEOUT_S } from '../references/queue/watch.ts';
import type { Flags, Io, OptionTable } from './command.ts';

/** --redis-timeout (audit, bench and worker). */
export const REDIS_TIMEOUT = {
  'redis-timeout': {
    type: 'number',
    min: 0,
    default: REDIS_TIMEOUT_S,
    value: 'SECONDS',
    description:
      'how long a lost Redis is retried (one line when lost, one when back) before giving up with exit 1; finished references stay in the local cache and a rerun continues',
  },
} satisfies OptionTable;

export const QUEUE_FLAGS = {
  queue: {
    type: 'string',
    value: 'URL',
    defaultText: 'local processes (--workers)',
    description: 'train reference models on `cwrf worker`s through Redis: redis://[user:password@]host:port[/db], rediss:// for TLS',
  },
  ...REDIS_TIMEOUT,
} satisfies OptionTable;

/** Runs `body` with the queue executor of --queue (closed afterwards), or with none (local processes). */
export async function withQueue<T>(f: Flags, io: Io, body: (executor: ReferenceExecutor | undefined) => Promise<T>): Promise<T> {
  const url = f.opt<string>('queue');
  if (url === undefined) return body(undefined);
  const { parseQueueUrl, queueExecutor } = await import('../references/queue/index.ts');
  const executor = await queueExecutor(parseQueueUrl(url), { redisTimeoutMs: f.get<number>('redis-timeout') * 1000, log: (l) => io.err(l) });
  try {
    return await body(executor);
  } finally {
    await executor.close();
  }
}
