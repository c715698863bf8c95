// A checked Redis connection: fails at once with one clear line (unreachable, refused password, TLS),
// then reconnects on its own while the queue is in use.
import { Redis } from 'ioredis';
import { InputError } from '../../util/errors.ts';
import { redisOptions, type QueueUrl } from './url.ts';

function explain(q: QueueUrl, e: Error & { code?: string }): string {
  const where = `Redis at ${q.host}:${q.port}`;
  const m = e.message ?? String(e);
  if (e.code === 'ECONNREFUSED') return `cannot reach ${where}: connection refused (is redis-server running there?)`;
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return `cannot reach ${where}: unknown host '${q.host}'`;
  if (e.code === 'ETIMEDOUT' || /timed? ?out/i.test(m)) return `cannot reach ${where}: no answer (timeout${q.tls ? '; does the server speak TLS?' : ''})`;
  if (/WRONGPASS|invalid password|invalid username-password/i.test(m)) return `${where} refused the user name or password (${q.display})`;
  if (/NOAUTH|Authentication required/i.test(m)) return `${where} needs a password: redis://[user:]PASSWORD@${q.host}:${q.port}`;
  if (/ERR.*DB index/i.test(m)) return `${where} has no database ${q.db}`;
  if (/SSL|TLS|certificate|wrong version number|EPROTO/i.test(m)) return `TLS to ${where} failed: ${m}`;
  if (/ECONNRESET|Connection is closed/i.test(m)) return `${where} closed the connection${q.tls ? '' : ' (does it need TLS: rediss://?)'}`;
  return `${where}: ${m}`;
}

/** Connects and pings, or throws an InputError saying why not; the client then retries dropped connections. */
export async function connectRedis(q: QueueUrl, timeoutMs = 5000): Promise<Redis> {
  let last: Error | null = null;
  const client = new Redis({ ...redisOptions(q), lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', (e: Error) => (last = e));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    client.disconnect();
    const err = e as Error;
    throw new InputError(explain(q, last && /Connection is closed|ECONNREFUSED/.test(err.message) ? last : err));
  }
  client.options.retryStrategy = (times: number) => Math.min(200 * times, 5000);
  client.options.enableOfflineQueue = true;
  client.options.lazyConnect = false;
  return client;
}
