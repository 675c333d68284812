/**
 * How old a cached answer may be to be reused. A resource's own last answer must not count as
 * fresh at its next poll (or it would never poll again), so it gets a share of the interval;
 * an answer another resource fetched is as good as a poll of its own for a whole interval, so
 * a job named by several resources costs one call per interval, not one per resource.
 */
export interface Freshness {
  /** The resource asking (namespace/name). */
  requester: string;
  /** Reuse an answer fetched for this requester when younger than this. */
  ownMs: number;
  /** Reuse an answer fetched for another resource when younger than this. */
  othersMs: number;
}

interface Entry<T> {
  at: number;
  /** The resource the request was made for. */
  by: string;
  result: Promise<T>;
  /** The answer, once it came. */
  settled?: T;
}

/**
 * The sharing both UCS caches use (jobs by ID, job lists by kind): an answer fresh enough for
 * the caller (see Freshness) is reused, a request in flight is shared, and entries older than
 * `retainMs` are dropped. `fetch` and `settle` are told the answer kept before (to ask for
 * only what changed, and to say whether something did); `settle` turns an answer into what is
 * kept.
 */
export class FreshAnswers<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private lastSweep: number;

  constructor(
    private readonly retainMs: number,
    private readonly now: () => number,
  ) {
    this.lastSweep = now();
  }

  get<R>(
    key: string,
    freshness: Freshness,
    fetch: (before: T | undefined) => Promise<R>,
    settle: (answer: R, before: T | undefined) => T,
  ): Promise<T> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit) {
      const maxAge = hit.by === freshness.requester ? freshness.ownMs : freshness.othersMs;
      if (now - hit.at < maxAge || hit.settled === undefined) return hit.result;
    }
    const before = hit?.settled;
    const result = fetch(before).then((answer) => {
      const kept = settle(answer, before);
      entry.settled = kept;
      return kept;
    });
    const entry: Entry<T> = { at: now, by: freshness.requester, result };
    this.entries.set(key, entry);
    this.sweep(now);
    return result;
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < Math.min(this.retainMs, 60_000)) return;
    this.lastSweep = now;
    for (const [key, entry] of this.entries)
      if (now - entry.at >= this.retainMs) this.entries.delete(key);
  }
}
