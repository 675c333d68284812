/**
 * Which events are repeats, the way client-go's events.k8s.io recorder (k8s.io/client-go/
 * tools/events) decides it: an event isomorphic to one recorded within the window joins that
 * one's series (count 2, 3, ...) instead of becoming a new Event object. Pure: the clock is an
 * argument. Unlike client-go, the note is part of the key: ours name the job, and two jobs of one
 * resource must stay two events (the apiserver keeps an event's note immutable anyway).
 */

/** client-go's finishTime: a series whose last repeat is older than this is closed. */
export const SERIES_WINDOW_MS = 6 * 60_000;

/** Entries kept at most; the oldest are forgotten first (client-go's old recorder: 4,096). */
export const MAX_SERIES = 4096;

/** What makes two events the same (client-go's eventKey, plus the note). */
export interface EventIdentity {
  type: string;
  reason: string;
  action: string;
  note: string;
  reportingController: string;
  reportingInstance: string;
  regarding: { apiVersion: string; kind: string; namespace: string; name: string; uid?: string };
}

export function eventKey(e: EventIdentity): string {
  const r = e.regarding;
  return JSON.stringify([
    e.type,
    e.reason,
    e.action,
    e.note,
    e.reportingController,
    e.reportingInstance,
    r.apiVersion,
    r.kind,
    r.namespace,
    r.name,
    r.uid ?? '',
  ]);
}

/** One event and its repeats. `count` 1 is a single event; 2 and more is a series. */
export interface SeriesEntry<T> {
  readonly key: string;
  readonly value: T;
  readonly firstObserved: Date;
  count: number;
  lastObserved: Date;
}

export type Observation<T> =
  { kind: 'new'; entry: SeriesEntry<T> } | { kind: 'repeat'; entry: SeriesEntry<T> };

/** The open series by key, in order of their last observation (oldest first). */
export class EventSeriesCache<T> {
  private readonly entries = new Map<string, SeriesEntry<T>>();

  constructor(
    private readonly windowMs = SERIES_WINDOW_MS,
    private readonly maxEntries = MAX_SERIES,
  ) {}

  /**
   * Records one occurrence at `now`: a repeat of an open series (its count goes up), or a new
   * entry holding `create()`'s value.
   */
  observe(key: string, now: Date, create: () => T): Observation<T> {
    this.expire(now);
    const open = this.entries.get(key);
    if (open) {
      open.count += 1;
      open.lastObserved = now;
      // Move it to the end: the map stays ordered by last observation.
      this.entries.delete(key);
      this.entries.set(key, open);
      return { kind: 'repeat', entry: open };
    }
    const entry: SeriesEntry<T> = {
      key,
      value: create(),
      firstObserved: now,
      count: 1,
      lastObserved: now,
    };
    this.entries.set(key, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
    return { kind: 'new', entry };
  }

  /** Forgets an entry (its first write failed: the next occurrence starts afresh). */
  forget(entry: SeriesEntry<T>): void {
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Closes the series last observed more than a window before `now`. */
  private expire(now: Date): void {
    const cutoff = now.getTime() - this.windowMs;
    for (const [key, entry] of this.entries) {
      if (entry.lastObserved.getTime() >= cutoff) break;
      this.entries.delete(key);
    }
  }
}
