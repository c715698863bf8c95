// Watches the Redis connection of a coordinator or worker: one line when it is lost and one when it is back
// (never the client library's error events or stack traces), and a bounded wait: when Redis has not come back
// within the timeout (--redis-timeout), `gone` rejects and the caller ends cleanly.
import type { Redis } from 'ioredis';

/** Default of --redis-timeout, in seconds. */
export const REDIS_TIMEOUT_S = 60;

/** Redis did not come back within the timeout. */
export class RedisGoneError extends Error {
  override name = 'RedisGoneError';
}

/** Anything that emits 'error' events (ioredis clients, BullMQ queues, workers, event streams). */
export interface ErrorEmitter {
  on(event: 'error', listener: (e: Error) => void): unknown;
}

export interface WatchOptions {
  /** How long a lost connection is retried before giving up, in ms. */
  timeoutMs: number;
  /** The server, for messages (the URL without its password). */
  where: string;
  log: (line: string) => void;
}

/** The state of one process's connection to Redis, from its main client's events. */
export class RedisWatch {
  state: 'up' | 'lost' | 'gone' = 'up';
  /** Rejects with a RedisGoneError when the connection stays lost for the timeout; never resolves. */
  readonly gone: Promise<never>;
  private giveUp!: (e: Error) => void;
  private lostAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly backListeners: (() => void)[] = [];
  private readonly detach: (() => void)[] = [];

  constructor(
    private readonly client: Redis,
    private readonly o: WatchOptions,
  ) {
    this.gone = new Promise<never>((_, reject) => (this.giveUp = reject));
    this.gone.catch(() => undefined); // awaited through race(); no unhandled rejection when nobody waits
    const onClose = () => this.lost();
    const onReady = () => this.back();
    client.on('close', onClose);
    client.on('ready', onReady);
    this.detach.push(() => client.off('close', onClose), () => client.off('ready', onReady));
    this.quiet(client);
  }

  /** Swallows `e`'s error events: connection errors are this watch's to report (once), not each client's. */
  quiet(e: ErrorEmitter): void {
    e.on('error', () => undefined);
  }

  /** Calls `fn` each time the connection comes back after a loss. */
  onReconnect(fn: () => void): void {
    this.backListeners.push(fn);
  }

  /** `p`, or the RedisGoneError when Redis is given up on first. */
  race<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.gone]);
  }

  private lost(): void {
    if (this.state !== 'up') return;
    this.state = 'lost';
    this.lostAt = performance.now();
    const s = this.o.timeoutMs / 1000;
    this.o.log(`lost the connection to Redis at ${this.o.where}: retrying for up to ${s} s (--redis-timeout)`);
    this.timer = setTimeout(() => {
      this.state = 'gone';
      this.giveUp(new RedisGoneError(`Redis at ${this.o.where} did not come back within ${s} s (--redis-timeout)`));
    }, this.o.timeoutMs);
  }

  private back(): void {
    if (this.state !== 'lost') return;
    clearTimeout(this.timer);
    this.state = 'up';
    this.o.log(`reconnected to Redis at ${this.o.where} after ${((performance.now() - this.lostAt) / 1000).toFixed(1)} s`);
    for (const fn of this.backListeners) fn();
  }

  /** Stops watching (no more lines, no timer). */
  close(): void {
    clearTimeout(this.timer);
    for (const d of this.detach) d();
  }
}

