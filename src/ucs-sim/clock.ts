/**
 * The simulator's notion of "now". Timelines, token lifetimes, fault windows and the
 * X-Sdk-Date check all read it, so tests can move time instead of waiting for it.
 * Latency and hanging responses use real timers: they are about the wire, not the model.
 */
export class SimClock {
  private offsetMs = 0;
  private frozenAtMs: number | undefined;
  // Fixed sub-millisecond digits so that timestamps carry six fraction digits, like the seed's.
  private readonly microJitter: number;

  constructor(private readonly realNow: () => number = Date.now) {
    this.microJitter = 1 + Math.floor(Math.random() * 998);
  }

  /** Epoch milliseconds. */
  now(): number {
    return this.frozenAtMs ?? this.realNow() + this.offsetMs;
  }

  /** Epoch microseconds of an epoch-millisecond instant, as timestamps are rendered. */
  micros(epochMs: number): number {
    return Math.round(epochMs) * 1000 + this.microJitter;
  }

  /** Moves time forward (or back, with a negative value). */
  advance(ms: number): number {
    if (this.frozenAtMs !== undefined) this.frozenAtMs += ms;
    else this.offsetMs += ms;
    return this.now();
  }

  /** Jumps to an instant; time keeps running from there unless frozen. */
  set(epochMs: number): number {
    if (this.frozenAtMs !== undefined) this.frozenAtMs = epochMs;
    else this.offsetMs = epochMs - this.realNow();
    return this.now();
  }

  /** Stops time (at now, or at the given instant) until resume(). */
  freeze(epochMs: number = this.now()): number {
    this.frozenAtMs = epochMs;
    return epochMs;
  }

  /** Lets time run again from where it stands. */
  resume(): number {
    if (this.frozenAtMs !== undefined) {
      this.offsetMs = this.frozenAtMs - this.realNow();
      this.frozenAtMs = undefined;
    }
    return this.now();
  }

  get frozen(): boolean {
    return this.frozenAtMs !== undefined;
  }

  /** Back to the real wall clock. */
  reset(): void {
    this.offsetMs = 0;
    this.frozenAtMs = undefined;
  }
}
