// `cwrf worker`: trains reference models for audits on other machines, taken from a Redis queue.
import { runWorker, parseQueueUrl } from '../../references/queue/index.ts';
import { checkCacheWritable } from '../../runs/index.ts';
import { InputError } from '../../util/errors.ts';
import { COMMON, type Command } from '../command.ts';
import { REDIS_TIMEOUT } from '../queue-flags.ts';

export const workerCommand: Command = {
  summary: 'train reference models from a Redis queue (for `cwrf audit --queue`) until SIGTERM',
  usage: 'cwrf worker --queue redis://[user:password@]host:port[/db] [--concurrency 1] [--data-dir DIR]',
  examples: [
    'cwrf worker --queue redis://127.0.0.1:6379',
    'cwrf worker --queue rediss://cwrf:secret@queue.example.org:6380/2 --concurrency 2 --data-dir /data',
  ],
  flags: {
    ...COMMON,
    queue: { type: 'string', value: 'URL', description: 'the Redis of the queue: redis://[user:password@]host:port[/db], rediss:// for TLS (required)' },
    concurrency: { type: 'int', min: 1, default: 1, description: 'jobs trained at once (one child process each)' },
    'data-dir': { type: 'string', value: 'DIR', defaultText: '$CWRF_DATA_DIR, then ~/.cache/cwrf/data', description: 'where this machine keeps the datasets (checked by SHA-256)' },
    ...REDIS_TIMEOUT,
  },
  async run(f, _pos, io) {
    const raw = f.opt<string>('queue');
    if (raw === undefined) throw new InputError('--queue URL is required (redis://[user:password@]host:port[/db])');
    const dataDir = f.opt<string>('data-dir');
    const url = parseQueueUrl(raw);
    checkCacheWritable();
    return runWorker(url, {
      concurrency: f.get<number>('concurrency'),
      redisTimeoutMs: f.get<number>('redis-timeout') * 1000,
      ...(dataDir !== undefined ? { dataDir } : {}),
      log: (l) => io.err(l),
    });
  },
};
