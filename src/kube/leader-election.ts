import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  CoordinationV1Api,
  V1MicroTime,
  type KubeConfig,
  type V1Lease,
  type V1ObjectMeta,
} from '@kubernetes/client-node';
import { apiMessage, apiStatus } from './kube-errors.js';
import type { Logger } from '../controller/ports.js';

/** The part of a coordination.k8s.io/v1 Lease that leader election reads. */
export interface LeaseRecord {
  /** '' when nobody holds the lease (never held, or released). */
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** As stored, for change detection only: other nodes' clocks are never compared with ours. */
  renewTime: string;
  leaseTransitions: number;
}

/** What a candidate saw last, and when (on its own clock) it first saw it. */
export interface LeaseObservation {
  record: LeaseRecord;
  observedAtMs: number;
}

export type LeaseDecision =
  /** No Lease object yet: create it, holding it. */
  | { kind: 'create' }
  /** We hold it: renew it (same acquireTime and transitions). */
  | { kind: 'renew' }
  /** Free (released) or expired: take it over (new acquireTime, transitions + 1). */
  | { kind: 'acquire'; from: string }
  /** Someone else holds it and it has not expired as far as we have seen. */
  | { kind: 'wait'; holder: string; expiresAtMs: number };

function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}

/**
 * Remembers a read record. As in client-go, a lease expires leaseDurationSeconds after this
 * candidate last saw it *change*, on its own clock; renewTime is never compared with our clock,
 * so clock skew between nodes cannot make two leaders.
 */
export function observeLease(
  previous: LeaseObservation | undefined,
  record: LeaseRecord,
  nowMs: number,
): LeaseObservation {
  if (previous && sameRecord(previous.record, record)) return previous;
  return { record, observedAtMs: nowMs };
}

/** May `identity` take (or keep) the lease now? Pure: the table tests cover every case. */
export function decideLease(
  observation: LeaseObservation | undefined,
  identity: string,
  nowMs: number,
): LeaseDecision {
  if (!observation) return { kind: 'create' };
  const { record, observedAtMs } = observation;
  if (record.holderIdentity === identity) return { kind: 'renew' };
  if (record.holderIdentity === '') return { kind: 'acquire', from: '' };
  const expiresAtMs = observedAtMs + Math.max(record.leaseDurationSeconds, 0) * 1000;
  if (nowMs < expiresAtMs) return { kind: 'wait', holder: record.holderIdentity, expiresAtMs };
  return { kind: 'acquire', from: record.holderIdentity };
}

/** hostname_random, like client-go's hostname + "_" + uuid: unique even across restarts. */
export function leaderIdentity(host = hostname()): string {
  return `${host}_${randomBytes(5).toString('hex')}`;
}

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  /** A leader that has not renewed for this long stops leading (before others may take over). */
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface LeaderCallbacks {
  onStartedLeading(): void;
  /** 'lost': the renew deadline passed or another holder showed up; 'released': stop() gave it up. */
  onStoppedLeading(reason: 'lost' | 'released'): void;
}

function toRecord(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  // client-node leaves MicroTime fields as the raw string when reading.
  const renew: unknown = spec.renewTime;
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    renewTime: renew instanceof Date ? renew.toISOString() : typeof renew === 'string' ? renew : '',
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

/** What a replace sends back: the resourceVersion makes it conditional; no managedFields. */
function leaseMetadata(lease: V1Lease | undefined, name: string, namespace: string): V1ObjectMeta {
  const meta = lease?.metadata ?? {};
  return {
    name,
    namespace,
    ...(meta.resourceVersion === undefined ? {} : { resourceVersion: meta.resourceVersion }),
    ...(meta.labels === undefined ? {} : { labels: meta.labels }),
    ...(meta.annotations === undefined ? {} : { annotations: meta.annotations }),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} timed out after ${String(ms)}ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, like client-go's leaderelection: read the
 * Lease every retry period, create/take/renew it with a replace that carries the read
 * resourceVersion (optimistic concurrency: of two racing candidates one gets 409). A leader whose
 * last successful renew is older than the renew deadline stops leading on a timer, whatever its
 * requests are doing; it does not campaign again (the process is expected to exit).
 */
export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private observation: LeaseObservation | undefined;
  /** The last Lease we read or wrote: its resourceVersion guards our next write. */
  private lease: V1Lease | undefined;
  private leading = false;
  private lastRenewMs = 0;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** Lost once: never campaign again (a leader that lost may hold stale state). */
  private lostOnce = false;
  private loggedHolder: string | undefined;

  constructor(
    kc: KubeConfig,
    private readonly options: LeaderElectionOptions,
    private readonly log: Logger,
    private readonly callbacks: LeaderCallbacks,
    private readonly clock: () => number = Date.now,
  ) {
    this.api = kc.makeApiClient(CoordinationV1Api);
  }

  get identity(): string {
    return this.options.identity;
  }

  /** Leading, and the last successful renew is within the renew deadline (checked on each call). */
  isLeader(): boolean {
    return this.leading && this.clock() - this.lastRenewMs < this.options.renewDeadlineMs;
  }

  /** Starts campaigning in the background. */
  run(): void {
    if (this.loop) return;
    this.stopped = false;
    this.log.info('campaigning for leadership', {
      lease: `${this.options.namespace}/${this.options.name}`,
      identity: this.options.identity,
    });
    this.loop = this.campaign();
  }

  /** Stops campaigning; a leader releases the lease so a standby takes over at once. */
  async stop(timeoutMs = 3_000): Promise<void> {
    this.stopped = true;
    this.wake?.();
    const deadline = this.clock() + timeoutMs;
    // An attempt in flight is not waited for long: the release below races it safely (409).
    if (this.loop) await Promise.race([this.loop, sleep(Math.min(1_000, timeoutMs))]);
    // Also when an acquire landed just as we stopped: we hold it without having led.
    const holding =
      this.leading || (this.lease?.spec?.holderIdentity ?? '') === this.options.identity;
    if (!holding) return;
    this.leading = false;
    clearTimeout(this.deadlineTimer);
    try {
      await withTimeout(this.release(), Math.max(deadline - this.clock(), 100), 'release');
      this.log.info('released the lease', { identity: this.options.identity });
    } catch (err) {
      this.log.warn('could not release the lease; a standby takes over once it expires', {
        error: apiMessage(err),
      });
    }
    this.callbacks.onStoppedLeading('released');
  }

  private async campaign(): Promise<void> {
    while (!this.stopped) {
      const started = this.clock();
      let ok = false;
      try {
        ok = await withTimeout(
          this.tryAcquireOrRenew(started),
          this.options.renewDeadlineMs,
          'lease update',
        );
      } catch (err) {
        this.log.warn(this.leading ? 'failed to renew the lease' : 'failed to acquire the lease', {
          error: apiMessage(err),
        });
      }
      // Lost meanwhile (the deadline fired while the attempt was in flight): never lead again.
      if (this.isStopped() || this.lostOnce) return;
      if (ok) {
        // Counted from before the request: the deadline errs on the safe side.
        this.lastRenewMs = started;
        this.armDeadline();
        if (!this.leading) {
          this.leading = true;
          this.log.info('became leader', { identity: this.options.identity });
          this.callbacks.onStartedLeading();
        }
      }
      // Candidates spread out (client-go's jitter 1.2); the leader renews on the beat.
      const jitter = this.leading ? 0 : Math.random() * 1.2 * this.options.retryPeriodMs;
      await this.sleep(this.options.retryPeriodMs + jitter);
    }
  }

  /** A method, not the field: stop() flips it while an attempt is awaited. */
  private isStopped(): boolean {
    return this.stopped;
  }

  private armDeadline(): void {
    clearTimeout(this.deadlineTimer);
    const remaining = this.lastRenewMs + this.options.renewDeadlineMs - this.clock();
    this.deadlineTimer = setTimeout(
      () => {
        this.lose('the lease was not renewed within the renew deadline');
      },
      Math.max(remaining, 0),
    );
    this.deadlineTimer.unref();
  }

  private lose(why: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.lostOnce = true;
    clearTimeout(this.deadlineTimer);
    this.log.error('leader election lost', { identity: this.options.identity, reason: why });
    this.wake?.();
    this.callbacks.onStoppedLeading('lost');
  }

  /** One round: true when we hold the lease afterwards. */
  private async tryAcquireOrRenew(nowMs: number): Promise<boolean> {
    const { namespace, name, identity } = this.options;
    let current: V1Lease | undefined;
    try {
      current = await this.api.readNamespacedLease({ namespace, name });
    } catch (err) {
      if (apiStatus(err) !== 404) throw err;
    }
    if (this.stopped) return false;
    if (current) this.observation = observeLease(this.observation, toRecord(current), nowMs);
    else this.observation = undefined;
    const decision = decideLease(this.observation, identity, nowMs);
    const now = new V1MicroTime(nowMs);
    const leaseDurationSeconds = Math.ceil(this.options.leaseDurationMs / 1000);
    switch (decision.kind) {
      case 'wait':
        if (this.leading) this.lose(`the lease is held by ${decision.holder}`);
        else if (this.loggedHolder !== decision.holder) {
          this.loggedHolder = decision.holder;
          this.log.info('the lease is held by another replica; standing by', {
            holder: decision.holder,
          });
        }
        return false;
      case 'create':
        return this.write('create', {
          metadata: { name, namespace },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds,
            acquireTime: now,
            renewTime: now,
            leaseTransitions: 0,
          },
        });
      case 'renew':
      case 'acquire': {
        const spec = current?.spec ?? {};
        const transitions = spec.leaseTransitions ?? 0;
        if (decision.kind === 'acquire')
          this.log.info('taking over the lease', { previousHolder: decision.from || '(released)' });
        return this.write('replace', {
          metadata: leaseMetadata(current, name, namespace),
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds,
            acquireTime: decision.kind === 'renew' ? spec.acquireTime : now,
            renewTime: now,
            leaseTransitions: decision.kind === 'renew' ? transitions : transitions + 1,
          },
        });
      }
    }
  }

  /** Create or replace (with the read resourceVersion); a 409 means someone else won. */
  private async write(verb: 'create' | 'replace', body: V1Lease): Promise<boolean> {
    const { namespace, name } = this.options;
    try {
      const written =
        verb === 'create'
          ? await this.api.createNamespacedLease({ namespace, body })
          : await this.api.replaceNamespacedLease({ namespace, name, body });
      this.lease = written;
      this.observation = { record: toRecord(written), observedAtMs: this.clock() };
      return true;
    } catch (err) {
      if (apiStatus(err) === 409) {
        this.log.debug('lost a race for the lease', { verb });
        return false;
      }
      throw err;
    }
  }

  /** client-go's ReleaseOnCancel: empty holder and a 1 s duration, so anyone may take it now. */
  private async release(): Promise<void> {
    const { namespace, name, identity } = this.options;
    for (let attempt = 0; attempt < 2; attempt++) {
      const current =
        attempt === 0 && this.lease
          ? this.lease
          : await this.api.readNamespacedLease({ namespace, name });
      if ((current.spec?.holderIdentity ?? '') !== identity) return;
      const now = new V1MicroTime(this.clock());
      try {
        await this.api.replaceNamespacedLease({
          namespace,
          name,
          body: {
            metadata: leaseMetadata(current, name, namespace),
            spec: {
              holderIdentity: '',
              leaseDurationSeconds: 1,
              acquireTime: now,
              renewTime: now,
              leaseTransitions: current.spec?.leaseTransitions ?? 0,
            },
          },
        });
        return;
      } catch (err) {
        // Our renew in flight changed it meanwhile: read again and retry once.
        if (apiStatus(err) !== 409 || attempt === 1) throw err;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
