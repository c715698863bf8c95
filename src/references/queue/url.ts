// The --queue URL: redis://[user:password@]host:port[/db], or rediss:// for TLS.
import { isIP } from 'node:net';
import type { RedisOptions } from 'ioredis';
import { InputError } from '../../util/errors.ts';

export interface QueueUrl {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The URL without its password, for messages. */
  display: string;
}

const FORM = 'redis://[user:password@]host:port[/db] or rediss://... for TLS';

/** Parses a queue URL, or throws an InputError naming what is wrong. */
export function parseQueueUrl(raw: string): QueueUrl {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new InputError(`--queue: '${raw}' is not a URL (${FORM})`);
  }
  const redacted = u.password ? raw.replace(`:${u.password}@`, ':***@') : raw;
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new InputError(`--queue: '${redacted}' is not a redis:// or rediss:// URL (${FORM})`);
  if (!u.hostname) throw new InputError(`--queue: '${redacted}' has no host (${FORM})`);
  if (!u.port) throw new InputError(`--queue: '${redacted}' has no port (${FORM}; Redis listens on 6379 by default)`);
  if (u.search || u.hash) throw new InputError(`--queue: '${redacted}' has a query or fragment; only ${FORM}`);
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) throw new InputError(`--queue: database '${path}' in '${redacted}' is not a number 0-99`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return {
    host,
    port: Number(u.port),
    db: path === '' ? 0 : Number(path),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    tls: u.protocol === 'rediss:',
    display: `${u.protocol}//${u.username ? `${u.username}${u.password ? ':***' : ''}@` : u.password ? ':***@' : ''}${u.host}/${path || '0'}`,
  };
}

/** ioredis options for a queue URL (BullMQ needs maxRetriesPerRequest null). */
export function redisOptions(q: QueueUrl): RedisOptions {
  return {
    host: q.host,
    port: q.port,
    db: q.db,
    ...(q.username ? { username: q.username } : {}),
    ...(q.password ? { password: q.password } : {}),
    ...(q.tls ? { tls: isIP(q.host) ? {} : { servername: q.host } } : {}),
    maxRetriesPerRequest: null,
  };
}
