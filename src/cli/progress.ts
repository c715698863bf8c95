// Progress lines with an ETA: one rewritten line on a terminal, one line per update otherwise.
import type { Io } from './command.ts';

function fmt(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Tracks `total` units of work and prints `label done/total ... ETA`. */
export class Progress {
  private done = 0;
  /** Units done before this process (a resumed run): counted, but not in the rate. */
  private before = 0;
  private readonly t0 = performance.now();
  private readonly tty: boolean;
  constructor(private readonly io: Io, private readonly label: string, private total: number) {
    this.tty = Boolean(process.stderr.isTTY) && !io.json;
  }
  /** Records `n` more units done, with a detail string for the line. */
  tick(detail = '', n = 1): void {
    this.done += n;
    if (this.io.quiet || this.io.json) return;
    const el = (performance.now() - this.t0) / 1000;
    const eta = this.done > this.before ? (el / (this.done - this.before)) * (this.total - this.done) : NaN;
    const line = `${this.label} ${this.done}/${this.total}${detail ? ` ${detail}` : ''}  elapsed ${fmt(el)} ETA ${fmt(eta)}`;
    if (this.tty) process.stderr.write(`\r\x1b[K${line}${this.done >= this.total ? '\n' : ''}`);
    else this.io.err(line);
  }
  /** Records `n` units that needed no work (e.g. cached): counted as done, left out of the rate behind the ETA. */
  skip(detail = '', n = 1): void {
    this.before += n;
    this.tick(detail, n);
  }
  /** Marks `n` units as done by an earlier, interrupted run (say so once). */
  resumedAt(n: number): void {
    if (n <= this.done) return;
    this.before = this.done = n;
    if (!this.io.quiet && !this.io.json) this.io.err(`resuming from a checkpoint: ${this.label} ${n}/${this.total} done`);
  }
  /** Extends the total (e.g. when the amount of work becomes known). */
  grow(n: number): void {
    this.total += n;
  }
}
