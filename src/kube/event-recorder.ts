import { hostname } from 'node:os';
import {
  EventsV1Api,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  type EventsV1Event,
  type KubeConfig,
} from '@kubernetes/client-node';
import { TokenBucket } from 'limiter';
import { Fifo } from '../controller/fifo.js';
import type { EventTarget, Logger } from '../controller/ports.js';
import { EventSeriesCache, eventKey, identityOf, type SeriesEntry } from './event-series.js';
import { apiMessage, apiStatus } from './kube-errors.js';
import type { TransitionEvent } from '../controller/transition-events.js';

/** The calls the recorder makes: EventsV1Api's (tests wrap it to watch the writes). */
export type EventWriter = Pick<EventsV1Api, 'createNamespacedEvent' | 'patchNamespacedEvent'>;

export interface EventRecorderOptions {
  /** Event writes per second, long-run average (token bucket); default 20. */
  qps?: number;
  /** Writes that may go at once after a quiet period (the bucket's size); default 50. */
  burst?: number;
  /** Event writes in flight at once; default 4. */
  maxInFlight?: number;
  /**
   * Events waiting to be written; past this, new events are dropped. A backstop against a
   * runaway only (default 50,000): a normal burst waits and is written at `qps`.
   */
  maxQueued?: number;
  /** Checked before each write: false drops the event (a replica that lost its lease). */
  canWrite?: () => boolean;
  /** Called for every event dropped because the queue was full. */
  onDropped?: () => void;
  /** `reportingInstance`; default: the hostname, which is the pod name in a cluster. */
  instance?: string;
  /** The clock of eventTime and of the series window (tests move it). */
  now?: () => Date;
  /** Default: an EventsV1Api of the kubeconfig. */
  api?: EventWriter;
}

/** `reportingController`: the controller's name, as in its metrics. */
export const REPORTING_CONTROLLER = 'policyjobwatch';

/** What the operator did when it saw what the event reports: it polled the UCS job. */
export const EVENT_ACTION = 'PollJob';

export const DEFAULT_EVENT_QPS = 20;
export const DEFAULT_EVENT_BURST = 50;
export const DEFAULT_EVENT_MAX_IN_FLIGHT = 4;
/** Only a runaway fills it: 10,000 new resources at once queue about 10,000. */
export const DEFAULT_EVENT_MAX_QUEUED = 50_000;

/** events.k8s.io/v1 limits (kubernetes/pkg/apis/core/validation/events.go), in bytes. */
const NOTE_LIMIT = 1024;
const INSTANCE_LIMIT = 128;
const NAME_LIMIT = 253;

/**
 * An event and what the apiserver holds of it. The rest of the event is its series key (type,
 * reason, note, regarding...) and the entry's first observation (eventTime): it is built from
 * them when it is written, so a queue of 10,000 events holds no second copy of each.
 */
interface Recorded {
  readonly namespace: string;
  /** The Event object's name. */
  readonly name: string;
  /** The apiserver has it (later occurrences are a series PATCH). */
  created: boolean;
  /** The series count last written (1 for the event alone). */
  writtenCount: number;
  state: 'idle' | 'queued' | 'writing';
}

type Entry = SeriesEntry<Recorded>;

/**
 * Records events.k8s.io/v1 Events (what `kubectl events` and `kubectl describe` show) as
 * client-go's events recorder does: `regarding` the resource, with reportingController,
 * reportingInstance, action and eventTime; an event isomorphic to one recorded within 6 minutes
 * is not a new Event but a PATCH of the first one's `series` (count, lastObservedTime).
 *
 * Writes happen in the background, so a reconcile never waits on them: a FIFO queue, paced by a
 * token bucket (`qps`, `burst`) with at most `maxInFlight` writes open, so that a burst (10,000
 * new resources at start-up) is written in full at a rate the apiserver sustains instead of
 * being dropped or flooding it. An event already queued or in flight takes its repeats along
 * (client-go's EventCorrelator aggregates the same way): its entry is held in the series cache,
 * and the next write carries the count. Only past `maxQueued` (a runaway) are new events
 * dropped, counted, and logged once when it starts and once when the queue has drained. Events
 * are best effort; the status is the record. A failed write is logged, never fatal.
 */
export class EventRecorder {
  private readonly api: EventWriter;
  private readonly instance: string;
  private readonly now: () => Date;
  private readonly series = new EventSeriesCache<Recorded>();
  private readonly queue = new Fifo<Entry>();
  private readonly bucket: TokenBucket | undefined;
  /** The pump's wake-up once the bucket has a token again. */
  private timer: NodeJS.Timeout | undefined;
  private active = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private droppedInBurst = 0;
  private sequence = 0;
  private readonly maxQueued: number;
  private readonly maxInFlight: number;
  private readonly patchOptions = setHeaderOptions(
    'Content-Type',
    PatchStrategy.StrategicMergePatch,
  );

  constructor(
    kc: KubeConfig,
    private readonly log: Logger,
    private readonly options: EventRecorderOptions = {},
  ) {
    this.api = options.api ?? kc.makeApiClient(EventsV1Api);
    this.maxQueued = options.maxQueued ?? DEFAULT_EVENT_MAX_QUEUED;
    this.maxInFlight = options.maxInFlight ?? DEFAULT_EVENT_MAX_IN_FLIGHT;
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1)
      throw new RangeError(`maxInFlight must be a whole number >= 1, got ${this.maxInFlight}`);
    const qps = options.qps ?? DEFAULT_EVENT_QPS;
    if (Number.isFinite(qps) && qps > 0) {
      const burst = Math.max(1, Math.floor(options.burst ?? DEFAULT_EVENT_BURST));
      this.bucket = new TokenBucket({ bucketSize: burst, tokensPerInterval: qps, interval: 1000 });
      // limiter's bucket starts empty; a fresh process may use its burst at once.
      this.bucket.content = burst;
    }
    this.instance = truncateBytes(options.instance ?? hostname(), INSTANCE_LIMIT);
    this.now = options.now ?? (() => new Date());
  }

  /** Queues the event (or counts a repeat into its series) and returns at once. */
  record(target: EventTarget, event: TransitionEvent): void {
    if (this.closed) return;
    const at = this.now();
    const key = eventKey({
      type: event.type,
      reason: event.reason,
      action: EVENT_ACTION,
      note: truncateBytes(event.message, NOTE_LIMIT),
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: this.instance,
      regarding: { ...target },
    });
    const { kind, entry } = this.series.observe(key, at, () => ({
      namespace: target.namespace,
      name: this.eventName(target.name, at),
      created: false,
      writtenCount: 0,
      state: 'idle',
    }));
    // Queued or in flight: that write (or the one after it) carries the new count.
    if (entry.value.state !== 'idle') return;
    if (this.queue.length >= this.maxQueued) {
      if (kind === 'new') this.series.forget(entry);
      this.dropped();
      return;
    }
    this.enqueue(entry);
  }

  /** The Event to create: its identity is its series key, its time the first observation. */
  private eventOf(entry: Entry, series: EventsV1Event['series'] | null): EventsV1Event {
    const id = identityOf(entry.key);
    return {
      metadata: { name: entry.value.name, namespace: entry.value.namespace },
      eventTime: new V1MicroTime(entry.firstObserved.getTime()),
      reportingController: id.reportingController,
      reportingInstance: id.reportingInstance,
      action: id.action,
      reason: id.reason,
      type: id.type,
      note: id.note,
      regarding: id.regarding,
      ...(series ? { series } : {}),
    };
  }

  /** Resolves once every queued event was written (or dropped), or after `timeoutMs`. */
  async flush(timeoutMs: number): Promise<void> {
    if (this.idle) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /**
   * Stops: events still queued are not written (logged with their number), later ones are
   * ignored; writes in flight finish. For shutdown, after flush().
   */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const left = this.queue.takeAll();
    for (const entry of left) this.settleEntry(entry);
    if (left.length > 0) this.log.warn('events not written at shutdown', { events: left.length });
    this.settle();
  }

  /** Events waiting to be written (not yet in flight). */
  get queued(): number {
    return this.queue.length;
  }

  /** Event writes open now. */
  get inFlight(): number {
    return this.active;
  }

  private get idle(): boolean {
    return this.queue.length === 0 && this.active === 0;
  }

  /** client-go's name: the object's name and the time in nanoseconds, in hex. */
  private eventName(object: string, at: Date): string {
    // Unique within the process even for events of one millisecond.
    this.sequence = (this.sequence + 1) % 1_000_000;
    const nanos = BigInt(at.getTime()) * 1_000_000n + BigInt(this.sequence);
    const suffix = `.${nanos.toString(16)}`;
    const prefix = object.slice(0, NAME_LIMIT - suffix.length).replace(/[.-]+$/, '');
    return `${prefix}${suffix}`;
  }

  private enqueue(entry: Entry): void {
    entry.value.state = 'queued';
    // Held: every repeat merges into it however long it waits.
    this.series.hold(entry);
    this.queue.push(entry);
    this.pump();
  }

  /** Starts writes while a slot is free and the bucket has a token; else waits for a token. */
  private pump(): void {
    while (this.queue.length > 0 && this.active < this.maxInFlight) {
      if (this.bucket && !this.bucket.tryRemoveTokens(1)) {
        this.timer ??= setTimeout(
          () => {
            this.timer = undefined;
            this.pump();
          },
          Math.max(1, this.bucket.getWaitTime(1)),
        );
        return;
      }
      const next = this.queue.shift();
      if (next === undefined) break;
      this.active += 1;
      void this.write(next).finally(() => {
        this.active -= 1;
        this.pump();
        this.settle();
      });
    }
  }

  /** Once nothing is queued or in flight: reports the burst's drops and wakes flush(). */
  private settle(): void {
    if (!this.idle) return;
    if (this.droppedInBurst > 0) {
      this.log.warn('event queue drained; some events were dropped', {
        dropped: this.droppedInBurst,
        maxQueued: this.maxQueued,
      });
      this.droppedInBurst = 0;
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Counts a drop; the first of a burst is logged, the rest once the queue has drained. */
  private dropped(): void {
    this.options.onDropped?.();
    this.droppedInBurst += 1;
    if (this.droppedInBurst === 1)
      this.log.warn('event queue full; dropping events', { maxQueued: this.maxQueued });
  }

  /** The entry is written as far as it goes: no longer held (forgotten if never created). */
  private settleEntry(entry: Entry): void {
    entry.value.state = 'idle';
    if (entry.value.created) this.series.release(entry, this.now());
    else this.series.forget(entry);
  }

  private async write(entry: Entry): Promise<void> {
    const recorded = entry.value;
    if (this.options.canWrite && !this.options.canWrite()) {
      this.settleEntry(entry);
      return;
    }
    recorded.state = 'writing';
    const count = entry.count;
    const series =
      count > 1 ? { count, lastObservedTime: new V1MicroTime(entry.lastObserved.getTime()) } : null;
    let ok = false;
    try {
      if (recorded.created && series) {
        try {
          await this.api.patchNamespacedEvent(
            { namespace: recorded.namespace, name: recorded.name, body: { series } },
            this.patchOptions,
          );
        } catch (err) {
          // Gone (the apiserver's event TTL): write the series anew, as client-go does.
          if (apiStatus(err) !== 404) throw err;
          await this.create(entry, series);
        }
      } else {
        await this.create(entry, series);
      }
      recorded.created = true;
      recorded.writtenCount = count;
      ok = true;
    } catch (err) {
      const id = identityOf(entry.key);
      this.log.warn('cannot record event', {
        object: `${recorded.namespace}/${id.regarding.name}`,
        reason: id.reason,
        error: apiMessage(err),
      });
    }
    // Repeats that came while it was in flight: written next, in their turn.
    if (ok && !this.closed && entry.count > recorded.writtenCount) this.enqueue(entry);
    else this.settleEntry(entry);
  }

  private async create(entry: Entry, series: EventsV1Event['series'] | null): Promise<void> {
    // A re-creation (the first one expired) carries the series as it stands now.
    const body = this.eventOf(entry, series);
    await this.api.createNamespacedEvent({ namespace: entry.value.namespace, body });
  }
}

/** At most `limit` bytes of UTF-8, cut on a character boundary. */
function truncateBytes(text: string, limit: number): string {
  if (Buffer.byteLength(text) <= limit) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > limit) break;
    out += ch;
    bytes += size;
  }
  return out;
}
