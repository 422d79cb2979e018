/**
 * The schedule of a writer that collects what the hot path records in memory and writes it in
 * batches: a flush `intervalMs` after the first record since the last one (the timer never keeps
 * the process alive), or at once when asked (tests, shutdown). Flushes run one at a time; a failed
 * one is told to `failed`, and the writer keeps what it could not write for the next.
 */
export class BatchedFlush {
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: () => Promise<void>,
    private readonly failed: (err: unknown) => void,
    private readonly intervalMs: number,
  ) {}

  /** A flush within `intervalMs`, unless one is already due. */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Writes now, after any flush under way. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write()).catch((err: unknown) => this.failed(err));
    return this.flushing;
  }

  /** The last flush: nothing stays scheduled. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
