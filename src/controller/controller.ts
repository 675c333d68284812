import { randomUUID } from 'node:crypto';
import {
  DEFAULT_SELECTOR_KIND,
  REQUESTED_AT_ANNOTATION,
  type PolicyJobWatch,
} from '../api/index.js';
import { CONTROLLER_NAME, type ChangeKind, type ControllerMetrics, type Logger } from './ports.js';
import type { Reconciler } from './reconciler.js';
import { WorkQueue } from './work-queue.js';
import { jsonEqual } from './json-equal.js';

export interface ControllerOptions {
  workers: number;
  /** Upper bound of the per-resource backoff after failures. */
  maxBackoffMs: number;
  /** A short message for an error a reconcile threw (the runtime passes the apiserver's). */
  describeError?: (err: unknown) => string;
  /**
   * News of a shared job is shown at once only by resources whose next turn is further away
   * than this; a resource due sooner shows it on that turn, with no status write of its own
   * in between (the runtime passes the poll interval and its jitter). Default 0: always at once.
   */
  newsHorizonMs?: number;
}

/**
 * The loop: informer events become queue keys, workers take keys and reconcile them, and the
 * returned Action (or a thrown error, through one error policy) decides when a key comes back.
 */
export class Controller {
  readonly queue: WorkQueue;
  private readonly seen = new Map<
    string,
    { generation: number; requestedAt: string | undefined }
  >();
  /** Which resources name which job (from their spec as cached), for jobChanged. */
  private readonly jobIndex = new Map<string, Set<string>>();
  private readonly jobsOf = new Map<string, readonly string[]>();
  /** Which resources select on which job list kind, for listChanged. */
  private readonly kindIndex = new Map<string, Set<string>>();
  private readonly kindOf = new Map<string, string>();
  private workers: Promise<void>[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly reconciler: Reconciler,
    private readonly log: Logger,
    private readonly metrics: ControllerMetrics | undefined,
    private readonly options: ControllerOptions,
  ) {
    this.queue = new WorkQueue(
      { baseMs: 1000, maxMs: options.maxBackoffMs, jitter: 0.1 },
      metrics?.workQueue(CONTROLLER_NAME),
    );
  }

  private describeError(err: unknown): string {
    if (this.options.describeError) return this.options.describeError(err);
    return err instanceof Error ? err.message : String(err);
  }

  /** Informer callback. Our own status writes come back as updates: those are not queued. */
  onChange(kind: ChangeKind, obj: PolicyJobWatch): void {
    const namespace = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    const key = `${namespace}/${name}`;
    if (kind === 'delete') {
      this.seen.delete(key);
      this.reconciler.forget(key);
      this.index(key, []);
      this.indexKind(key, undefined);
      return;
    }
    this.index(key, jobIDsOf(obj));
    this.indexKind(key, selectorKindOf(obj));
    const now = {
      generation: obj.metadata.generation ?? 0,
      requestedAt: obj.metadata.annotations?.[REQUESTED_AT_ANNOTATION],
    };
    const before = this.seen.get(key);
    this.seen.set(key, now);
    const ownWrite = this.reconciler.isOwnWrite(key, obj);
    if (kind === 'update' && ownWrite && jsonEqual(before, now)) return;
    this.queue.add(key);
  }

  /**
   * A UCS request brought new data for the job: every other resource naming it whose next
   * turn is beyond the news horizon is queued now, for news only, so it shows the data (from
   * the job cache, without another call) at once rather than up to its poll interval later,
   * and keeps its poll schedule. Resources in a reconcile already have it or will poll again;
   * resources due within the horizon show it on their turn (one status write, not two).
   */
  jobChanged(jobID: string): void {
    for (const key of this.jobIndex.get(jobID) ?? []) this.news(key);
  }

  /** A job list brought new data: every resource selecting on that kind shows it (news). */
  listChanged(kind: string): void {
    for (const key of this.kindIndex.get(kind) ?? []) this.news(key);
  }

  private news(key: string): void {
    if (this.queue.isProcessing(key)) return;
    const due = this.queue.scheduledIn(key);
    if (due !== undefined && due <= (this.options.newsHorizonMs ?? 0)) return;
    this.queue.addNews(key);
  }

  start(): void {
    this.workers = Array.from({ length: this.options.workers }, () => this.work());
  }

  /** Stops taking work and waits for reconciles in flight (up to `graceMs`). */
  async stop(graceMs = 5_000): Promise<void> {
    this.queue.shutDown();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all([...this.inFlight]), timeout]);
    await Promise.race([Promise.all(this.workers), timeout]);
  }

  private index(key: string, jobIDs: readonly string[]): void {
    const before = this.jobsOf.get(key) ?? [];
    if (jsonEqual(before, jobIDs)) return;
    for (const id of before) {
      const keys = this.jobIndex.get(id);
      keys?.delete(key);
      if (keys?.size === 0) this.jobIndex.delete(id);
    }
    for (const id of jobIDs) {
      let keys = this.jobIndex.get(id);
      if (!keys) this.jobIndex.set(id, (keys = new Set()));
      keys.add(key);
    }
    if (jobIDs.length === 0) this.jobsOf.delete(key);
    else this.jobsOf.set(key, jobIDs);
  }

  private indexKind(key: string, kind: string | undefined): void {
    const before = this.kindOf.get(key);
    if (before === kind) return;
    if (before !== undefined) {
      const keys = this.kindIndex.get(before);
      keys?.delete(key);
      if (keys?.size === 0) this.kindIndex.delete(before);
    }
    if (kind === undefined) {
      this.kindOf.delete(key);
      return;
    }
    let keys = this.kindIndex.get(kind);
    if (!keys) this.kindIndex.set(kind, (keys = new Set()));
    keys.add(key);
    this.kindOf.set(key, kind);
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const run = this.process(key);
      this.inFlight.add(run);
      try {
        await run;
      } finally {
        this.inFlight.delete(run);
        this.queue.done(key);
      }
    }
  }

  private async process(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    const log = this.log.child({ object: key, reconcileID: randomUUID() });
    const started = process.hrtime.bigint();
    let result: string;
    try {
      const trigger = this.queue.isNewsOnly(key) ? 'news' : 'poll';
      const action = await this.reconciler.reconcile(namespace, name, log, trigger);
      switch (action.kind) {
        case 'done':
          this.queue.forget(key);
          result = 'success';
          break;
        case 'requeueAfter':
          this.queue.forget(key);
          this.queue.addAfter(key, action.delayMs);
          result = 'requeue_after';
          break;
        case 'backoff': {
          const delay = this.queue.addRateLimited(key, action.minDelayMs);
          log.debug('fetch failed; backing off', { retryInMs: delay });
          result = 'requeue';
          break;
        }
      }
    } catch (err) {
      // The one error policy: anything thrown (apiserver down, a bug) backs off and retries.
      const delay = this.queue.addRateLimited(key);
      log.error('reconcile failed', { error: this.describeError(err), retryInMs: delay });
      this.metrics?.reconcileErrors.inc({ controller: CONTROLLER_NAME });
      result = 'error';
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.metrics?.reconcileTotal.inc({ controller: CONTROLLER_NAME, result });
    this.metrics?.reconcileTime.observe({ controller: CONTROLLER_NAME }, seconds);
  }
}

/** The job IDs a cached resource names (its spec is not validated yet: strings only). */
function jobIDsOf(obj: PolicyJobWatch): readonly string[] {
  const ids: unknown = (obj.spec as { jobIDs?: unknown } | undefined)?.jobIDs;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

/** The job list kind a cached resource selects on, if it has a jobSelector. */
function selectorKindOf(obj: PolicyJobWatch): string | undefined {
  const selector: unknown = (obj.spec as { jobSelector?: unknown } | undefined)?.jobSelector;
  if (typeof selector !== 'object' || selector === null) return undefined;
  const kind = (selector as { kind?: unknown }).kind;
  return typeof kind === 'string' ? kind : DEFAULT_SELECTOR_KIND;
}
