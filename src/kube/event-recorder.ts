import { hostname } from 'node:os';
import {
  EventsV1Api,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  type EventsV1Event,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { EventTarget, Logger } from '../controller/ports.js';
import { EventSeriesCache, eventKey, type SeriesEntry } from './event-series.js';
import { apiMessage, apiStatus } from './kube-errors.js';
import type { TransitionEvent } from '../controller/transition-events.js';

export interface EventRecorderOptions {
  /** Events waiting to be written; past this, new events are dropped (client-go: 1,000). */
  maxQueued?: number;
  /** Event writes in flight at once. */
  concurrency?: number;
  /** Checked before each write: false drops the event (a replica that lost its lease). */
  canWrite?: () => boolean;
  /** Called for every event dropped because the queue was full. */
  onDropped?: () => void;
  /** `reportingInstance`; default: the hostname, which is the pod name in a cluster. */
  instance?: string;
  /** The clock of eventTime and of the series window (tests move it). */
  now?: () => Date;
}

/** `reportingController`: the controller's name, as in its metrics. */
export const REPORTING_CONTROLLER = 'policyjobwatch';

/** What the operator did when it saw what the event reports: it polled the UCS job. */
export const EVENT_ACTION = 'PollJob';

/** events.k8s.io/v1 limits (kubernetes/pkg/apis/core/validation/events.go), in bytes. */
const NOTE_LIMIT = 1024;
const INSTANCE_LIMIT = 128;
const NAME_LIMIT = 253;

/** How often the recorder logs that it dropped events (with the count since the last line). */
const DROP_LOG_INTERVAL_MS = 60_000;

/** An event and what the apiserver holds of it. */
interface Recorded {
  readonly namespace: string;
  readonly name: string;
  readonly body: EventsV1Event;
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
 * is not a new Event but a PATCH of the first one's `series` (count, lastObservedTime). Writes
 * happen in the background, so a reconcile never waits on them, through a bounded queue whose
 * overflow is dropped (counted and logged), with a few writes in flight. A series queued or in
 * flight takes its repeats along in its next write (client-go writes counts past 2 only every
 * few minutes; our events are transitions, so repeats are few and each is written). Events are
 * best effort; the status is the record. A failed write is logged, never fatal.
 */
export class EventRecorder {
  private readonly api: EventsV1Api;
  private readonly instance: string;
  private readonly now: () => Date;
  private readonly series = new EventSeriesCache<Recorded>();
  private readonly queue: Entry[] = [];
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  private droppedSinceLog = 0;
  private lastDropLog = 0;
  private sequence = 0;
  private readonly maxQueued: number;
  private readonly concurrency: number;
  private readonly patchOptions = setHeaderOptions(
    'Content-Type',
    PatchStrategy.StrategicMergePatch,
  );

  constructor(
    kc: KubeConfig,
    private readonly log: Logger,
    private readonly options: EventRecorderOptions = {},
  ) {
    this.api = kc.makeApiClient(EventsV1Api);
    this.maxQueued = options.maxQueued ?? 1000;
    this.concurrency = options.concurrency ?? 4;
    this.instance = truncateBytes(options.instance ?? hostname(), INSTANCE_LIMIT);
    this.now = options.now ?? (() => new Date());
  }

  /** Queues the event (or counts a repeat into its series) and returns at once. */
  record(target: EventTarget, event: TransitionEvent): void {
    const at = this.now();
    const body = this.newEvent(target, event, at);
    const key = eventKey({
      type: event.type,
      reason: event.reason,
      action: EVENT_ACTION,
      note: body.note ?? '',
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: this.instance,
      regarding: { ...target },
    });
    const { kind, entry } = this.series.observe(key, at, () => ({
      namespace: target.namespace,
      name: body.metadata?.name ?? '',
      body,
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

  private newEvent(target: EventTarget, event: TransitionEvent, at: Date): EventsV1Event {
    return {
      metadata: { name: this.eventName(target.name, at), namespace: target.namespace },
      eventTime: new V1MicroTime(at.getTime()),
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: this.instance,
      action: EVENT_ACTION,
      reason: event.reason,
      type: event.type,
      note: truncateBytes(event.message, NOTE_LIMIT),
      regarding: {
        apiVersion: target.apiVersion,
        kind: target.kind,
        namespace: target.namespace,
        name: target.name,
        ...(target.uid === undefined ? {} : { uid: target.uid }),
      },
    };
  }

  /** Resolves once every queued event was written (or dropped), or after `timeoutMs`. */
  async flush(timeoutMs: number): Promise<void> {
    if (this.queue.length === 0 && this.active === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Events waiting to be written. */
  get queued(): number {
    return this.queue.length;
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
    this.queue.push(entry);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.concurrency) {
      const next = this.queue.shift();
      if (next === undefined) break;
      this.active += 1;
      void this.write(next).finally(() => {
        this.active -= 1;
        this.pump();
        if (this.active === 0 && this.queue.length === 0) {
          this.logDropped('event queue drained; some events were dropped');
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const resolve of waiters) resolve();
        }
      });
    }
  }

  private dropped(): void {
    this.options.onDropped?.();
    this.droppedSinceLog += 1;
    if (Date.now() - this.lastDropLog >= DROP_LOG_INTERVAL_MS)
      this.logDropped('event queue full; dropping events');
  }

  /** Logs the events dropped since the last such line (at most one a minute while dropping). */
  private logDropped(message: string): void {
    if (this.droppedSinceLog === 0) return;
    this.log.warn(message, { dropped: this.droppedSinceLog, maxQueued: this.maxQueued });
    this.droppedSinceLog = 0;
    this.lastDropLog = Date.now();
  }

  private async write(entry: Entry): Promise<void> {
    const recorded = entry.value;
    if (this.options.canWrite && !this.options.canWrite()) {
      recorded.state = 'idle';
      if (!recorded.created) this.series.forget(entry);
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
          await this.create(recorded, series);
        }
      } else {
        await this.create(recorded, series);
      }
      recorded.created = true;
      recorded.writtenCount = count;
      ok = true;
    } catch (err) {
      this.log.warn('cannot record event', {
        object: `${recorded.namespace}/${recorded.body.regarding?.name ?? ''}`,
        reason: recorded.body.reason,
        error: apiMessage(err),
      });
      // Never created: the next occurrence starts a new event rather than patching nothing.
      if (!recorded.created) this.series.forget(entry);
    } finally {
      recorded.state = 'idle';
    }
    // Repeats that came while it was in flight.
    if (ok && entry.count > recorded.writtenCount && this.queue.length < this.maxQueued)
      this.enqueue(entry);
  }

  private async create(recorded: Recorded, series: EventsV1Event['series'] | null): Promise<void> {
    // A re-creation (the first one expired) carries the series as it stands now.
    if (series) recorded.body.series = series;
    await this.api.createNamespacedEvent({ namespace: recorded.namespace, body: recorded.body });
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
