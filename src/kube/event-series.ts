/**
 * Which events are repeats, the way client-go's events.k8s.io recorder (k8s.io/client-go/
 * tools/events) decides it: an event isomorphic to one recorded within the window joins that
 * one's series (count 2, 3, ...) instead of becoming a new Event object. Pure: the clock is an
 * argument. Unlike client-go, the note is part of the key: ours name the job, and two jobs of one
 * resource must stay two events (the apiserver keeps an event's note immutable anyway).
 *
 * An entry can be held (its event waits to be written, or is being written): a held entry is
 * never closed nor evicted, so that every repeat of an event still queued merges into it, as
 * client-go's EventCorrelator aggregates, however long the queue and however old the event.
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

/**
 * The identity a key was made of (eventKey's inverse), so that a queued event needs no copy of
 * what its key already holds: the event is built from it when it is written.
 */
export function identityOf(key: string): EventIdentity {
  const [
    type,
    reason,
    action,
    note,
    reportingController,
    reportingInstance,
    apiVersion,
    kind,
    namespace,
    name,
    uid,
  ] = JSON.parse(key) as string[];
  return {
    type: type ?? '',
    reason: reason ?? '',
    action: action ?? '',
    note: note ?? '',
    reportingController: reportingController ?? '',
    reportingInstance: reportingInstance ?? '',
    regarding: {
      apiVersion: apiVersion ?? '',
      kind: kind ?? '',
      namespace: namespace ?? '',
      name: name ?? '',
      ...(uid ? { uid } : {}),
    },
  };
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

/** The open series by key, in order of their last observation (oldest first), and the held ones. */
export class EventSeriesCache<T> {
  private readonly entries = new Map<string, SeriesEntry<T>>();
  /** Held entries: out of `entries`, so that closing and eviction never see them. */
  private readonly held = new Map<string, SeriesEntry<T>>();

  constructor(
    private readonly windowMs = SERIES_WINDOW_MS,
    private readonly maxEntries = MAX_SERIES,
  ) {}

  /**
   * Records one occurrence at `now`: a repeat of a held entry or of an open series (its count
   * goes up), or a new entry holding `create()`'s value.
   */
  observe(key: string, now: Date, create: () => T): Observation<T> {
    this.expire(now);
    const waiting = this.held.get(key);
    if (waiting) {
      waiting.count += 1;
      waiting.lastObserved = now;
      return { kind: 'repeat', entry: waiting };
    }
    const open = this.entries.get(key);
    // An entry released late can stand after newer ones: its window is checked here too.
    if (open && this.isOpen(open, now)) {
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
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.trim();
    return { kind: 'new', entry };
  }

  /** Keeps the entry (its event is queued or being written) until release(): it stays open. */
  hold(entry: SeriesEntry<T>): void {
    if (this.held.get(entry.key) === entry) return;
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    this.held.set(entry.key, entry);
  }

  /** Ends a hold: the entry is an open series again, or closed if its window passed by `now`. */
  release(entry: SeriesEntry<T>, now: Date): void {
    if (this.held.get(entry.key) !== entry) return;
    this.held.delete(entry.key);
    if (!this.isOpen(entry, now) || this.entries.has(entry.key)) return;
    this.entries.set(entry.key, entry);
    this.trim();
  }

  /** Forgets an entry (its first write failed: the next occurrence starts afresh). */
  forget(entry: SeriesEntry<T>): void {
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    if (this.held.get(entry.key) === entry) this.held.delete(entry.key);
  }

  /** Open series and held entries. */
  get size(): number {
    return this.entries.size + this.held.size;
  }

  /** Held entries. */
  get heldCount(): number {
    return this.held.size;
  }

  /** Past its bound, forgets the least recently observed open series. */
  private trim(): void {
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  private isOpen(entry: SeriesEntry<T>, now: Date): boolean {
    return entry.lastObserved.getTime() >= now.getTime() - this.windowMs;
  }

  /** Closes the series last observed more than a window before `now` (held ones stay). */
  private expire(now: Date): void {
    for (const [key, entry] of this.entries) {
      if (this.isOpen(entry, now)) break;
      this.entries.delete(key);
    }
  }
}
