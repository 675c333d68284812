import { Fifo } from './fifo.js';

/**
 * A work queue with client-go's semantics: a key is queued at most once, is never handed to
 * two workers at once (a key added while it is being processed is queued again when done),
 * may be added after a delay, and failing keys back off exponentially per item, with jitter.
 */
export interface WorkQueueMetrics {
  depth(value: number): void;
  added(): void;
  /** Seconds a key waited in the queue before a worker took it. */
  queued(seconds: number): void;
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** 0.1 = ±10% */
  jitter: number;
}

const NO_METRICS: WorkQueueMetrics = {
  depth: () => undefined,
  added: () => undefined,
  queued: () => undefined,
};

export class WorkQueue {
  private readonly queue = new Fifo<string>();
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  /** Queued keys whose only reason is news (addNews), and keys being processed for that. */
  private readonly newsOnly = new Set<string>();
  private readonly processingNews = new Set<string>();
  private readonly enqueuedAt = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(
    private readonly backoff: BackoffOptions = { baseMs: 1000, maxMs: 300_000, jitter: 0.1 },
    private readonly metrics: WorkQueueMetrics = NO_METRICS,
    private readonly random: () => number = Math.random,
  ) {}

  get length(): number {
    return this.queue.length;
  }

  /** Queues the key now (cancelling a later scheduled add of it). */
  add(key: string): void {
    if (this.shuttingDown) return;
    this.cancelTimer(key);
    this.newsOnly.delete(key);
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    this.metrics.added();
    this.enqueuedAt.set(key, Date.now());
    if (this.processing.has(key)) return; // queued again by done()
    this.push(key);
  }

  /**
   * Queues the key now for news only (data another reconcile fetched): unlike add, a scheduled
   * add of the key stays, and isNewsOnly tells the worker, so that it can show the news without
   * doing the work its scheduled turn will do. Any other add before a worker takes the key
   * makes it a full turn.
   */
  addNews(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.newsOnly.add(key);
    this.metrics.added();
    this.enqueuedAt.set(key, Date.now());
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** True while a worker holds the key for news only (see addNews). */
  isNewsOnly(key: string): boolean {
    return this.processingNews.has(key);
  }

  /** Queues the key after `delayMs`, unless an earlier add of it is already scheduled. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    this.cancelTimer(key);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** Milliseconds until the key's scheduled add (addAfter), or undefined when none is scheduled. */
  scheduledIn(key: string, now = Date.now()): number | undefined {
    const scheduled = this.timers.get(key);
    return scheduled === undefined ? undefined : Math.max(0, scheduled.at - now);
  }

  /** Queues the key after its next backoff step (at least `minDelayMs`, e.g. a Retry-After). */
  addRateLimited(key: string, minDelayMs = 0): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const exp = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** failures);
    const jittered = exp * (1 + this.backoff.jitter * (2 * this.random() - 1));
    const delay = Math.max(minDelayMs, Math.round(jittered));
    this.addAfter(key, delay);
    return delay;
  }

  /** True while a worker holds the key (between get() and done()). */
  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  /** Resets the key's backoff after a success. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** How many times in a row the key failed. */
  failureCount(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Waits for the next key; undefined once the queue shuts down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the key processed; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    this.processingNews.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
  }

  /** Stops handing out keys: waiting workers get undefined, scheduled adds are dropped. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  private push(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(this.take(key));
      return;
    }
    this.queue.push(key);
    this.metrics.depth(this.queue.length);
  }

  private take(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    if (this.newsOnly.delete(key)) this.processingNews.add(key);
    const since = this.enqueuedAt.get(key);
    this.enqueuedAt.delete(key);
    if (since !== undefined) this.metrics.queued((Date.now() - since) / 1000);
    this.metrics.depth(this.queue.length);
    return key;
  }

  private cancelTimer(key: string): void {
    const existing = this.timers.get(key);
    if (existing) {
      clearTimeout(existing.timer);
      this.timers.delete(key);
    }
  }
}
