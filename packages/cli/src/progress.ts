/** Options of a {@link Progress} bar. */
export interface ProgressOptions {
  /** Total units of work. */
  readonly total: number;
  /** Label before the bar, e.g. `train`. */
  readonly label: string;
  /** Where to draw (default `process.stderr`). */
  readonly stream?: NodeJS.WriteStream | undefined;
}

/**
 * A terminal progress bar: redraws one line in place on a TTY, and prints a plain line at every
 * 10% otherwise (CI logs, pipes), so long tasks always show where they are.
 */
export class Progress {
  private readonly total: number;
  private readonly label: string;
  private readonly stream: NodeJS.WriteStream;
  private readonly start = Date.now();
  private lastDraw = 0;
  private lastDecile = -1;

  /** @param options - total work, label and output stream */
  constructor(options: ProgressOptions) {
    this.total = Math.max(1, options.total);
    this.label = options.label;
    this.stream = options.stream ?? process.stderr;
  }

  /** Reports `done` units finished, with a short status text (e.g. the losses). */
  update(done: number, status = ''): void {
    const now = Date.now();
    const frac = Math.min(1, done / this.total);
    const elapsed = (now - this.start) / 1000;
    const eta = frac > 0 ? (elapsed / frac) * (1 - frac) : 0;
    const text = `${this.label} ${done}/${this.total} ${(frac * 100).toFixed(0).padStart(3)}% ${elapsed.toFixed(0)}s elapsed, ~${eta.toFixed(0)}s left ${status}`;
    if (this.stream.isTTY) {
      if (now - this.lastDraw < 100 && done < this.total) return;
      this.lastDraw = now;
      const width = 24;
      const filled = Math.round(frac * width);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
      const line = `${bar} ${text}`;
      const cols = this.stream.columns ?? 120;
      this.stream.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length))}\x1b[K`);
    } else {
      const decile = Math.floor(frac * 10);
      if (decile === this.lastDecile) return;
      this.lastDecile = decile;
      this.stream.write(`${text}\n`);
    }
  }

  /** Ends the bar's line. */
  finish(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
