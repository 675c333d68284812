import { hostname } from 'node:os';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../runtime/logger.js';
import { apiMessage } from './kube-errors.js';
import type { TransitionEvent } from './transition-events.js';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid?: string;
  resourceVersion?: string;
}

export interface EventRecorderOptions {
  /** Events waiting to be written; past this, new events are dropped (client-go: 1,000). */
  maxQueued?: number;
  /** Event writes in flight at once. */
  concurrency?: number;
  /** Checked before each write: false drops the event (a replica that lost its lease). */
  canWrite?: () => boolean;
  /** Called for every event dropped because the queue was full. */
  onDropped?: () => void;
}

interface Pending {
  target: EventTarget;
  event: TransitionEvent;
  at: Date;
}

/** How often the recorder logs that it dropped events (with the count since the last line). */
const DROP_LOG_INTERVAL_MS = 60_000;

/**
 * Records core/v1 Events (what `kubectl describe` shows) as client-go's recorder does: in the
 * background, so a reconcile never waits on them, through a bounded queue whose overflow is
 * dropped (counted and logged), with a few writes in flight. Events are best effort; the status
 * is the record. A failed write is logged, never fatal.
 */
export class EventRecorder {
  private readonly api: CoreV1Api;
  private readonly instance = hostname();
  private readonly queue: Pending[] = [];
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  private droppedSinceLog = 0;
  private lastDropLog = 0;
  private readonly maxQueued: number;
  private readonly concurrency: number;

  constructor(
    kc: KubeConfig,
    private readonly log: Logger,
    private readonly options: EventRecorderOptions = {},
  ) {
    this.api = kc.makeApiClient(CoreV1Api);
    this.maxQueued = options.maxQueued ?? 1000;
    this.concurrency = options.concurrency ?? 4;
  }

  /** Queues the event and returns at once. */
  record(target: EventTarget, event: TransitionEvent): void {
    if (this.queue.length >= this.maxQueued) {
      this.dropped();
      return;
    }
    this.queue.push({ target, event, at: new Date() });
    this.pump();
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

  private async write({ target, event, at }: Pending): Promise<void> {
    if (this.options.canWrite && !this.options.canWrite()) return;
    try {
      await this.api.createNamespacedEvent({
        namespace: target.namespace,
        body: {
          metadata: { generateName: `${target.name}.`, namespace: target.namespace },
          involvedObject: target,
          type: event.type,
          reason: event.reason,
          message: event.message.slice(0, 1024),
          source: { component: 'policyjobwatch' },
          reportingComponent: 'policyjobwatch',
          reportingInstance: this.instance,
          firstTimestamp: at,
          lastTimestamp: at,
          count: 1,
        },
      });
    } catch (err) {
      this.log.warn('cannot record event', {
        object: `${target.namespace}/${target.name}`,
        reason: event.reason,
        error: apiMessage(err),
      });
    }
  }
}
