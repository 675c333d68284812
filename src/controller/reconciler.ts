import { isDeepStrictEqual } from 'node:util';
import {
  KIND,
  API_VERSION,
  MAX_STATUS_JSON_BYTES,
  REQUESTED_AT_ANNOTATION,
  parseDuration,
  parsePolicyJobWatchSpec,
  type PolicyJobWatch,
  type PolicyJobWatchStatus,
} from '../api/index.js';
import type { UcsCredentials } from '../ucs/index.js';
import type { Logger } from '../runtime/logger.js';
import {
  computeStatus,
  handledRequestedAtValue,
  isTerminal,
  minimalStatus,
  specInvalidStatus,
  type JobObservation,
} from './compute-status.js';
import { apiMessage, isTooLarge } from './kube-errors.js';
import { fitStatus, statusBytes } from './status-budget.js';
import {
  decideEndpoint,
  decideIamEndpoint,
  type EndpointPolicy,
  type IamEndpointPolicy,
} from './endpoint-policy.js';
import { isStalling, type FetchError } from './fetch-error.js';
import type { Freshness } from './job-cache.js';
import type { JobAnswer } from './map-job.js';
import type { CredentialsLookup } from './secret-credentials.js';
import { transitionEvents, type TransitionEvent } from './transition-events.js';
import type { EventTarget } from './event-recorder.js';

/** What should happen next for a resource (the reconcile itself never schedules anything). */
export type Action =
  | { kind: 'done' }
  | { kind: 'requeueAfter'; delayMs: number }
  /** A retryable failure: back off, at least `minDelayMs` (a Retry-After). */
  | { kind: 'backoff'; minDelayMs: number };

/** The I/O a reconcile needs, behind narrow doors (real ones in production, real apiserver in tests). */
export interface ReconcileDeps {
  getResource(namespace: string, name: string): PolicyJobWatch | undefined;
  getCredentials(namespace: string, name: string): Promise<CredentialsLookup>;
  getJob(
    endpoint: string,
    credentials: UcsCredentials,
    jobID: string,
    freshness: Freshness,
  ): Promise<JobAnswer>;
  /** Returns the new resourceVersion, or undefined when the resource is gone. */
  writeStatus(
    namespace: string,
    name: string,
    status: PolicyJobWatchStatus,
  ): Promise<string | undefined>;
  /** Queues an Event; it is written in the background (best effort). */
  recordEvent(target: EventTarget, event: TransitionEvent): void;
  now(): Date;
  random(): number;
}

export interface ReconcileSettings {
  endpointPolicy: EndpointPolicy;
  iamEndpointPolicy: IamEndpointPolicy;
  defaultCredentials: { namespace: string; name: string };
  defaultPollIntervalMs: number;
  maxTasksPerJob: number;
  /** The status budget (default MAX_STATUS_JSON_BYTES); tests set it to reach the fallback. */
  maxStatusBytes?: number;
}

/** A budget halved after refusals never goes below this. */
const MIN_STATUS_BUDGET = 64 * 1024;

/**
 * A resource's own cached answer younger than this share of the poll interval is reused (a
 * reconcile soon after the last one fetches nothing); another resource's, for a whole interval.
 */
const OWN_CACHE_SHARE = 0.8;
const JITTER = 0.1;
/** A reconcile that took longer than its poll interval waits at least this share of it. */
const MIN_REQUEUE_SHARE = 0.1;
/** A Retry-After is honoured, even past the poll interval, up to this bound. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

export class Reconciler {
  /**
   * Status written per resource until the informer delivers that write: until then the cache
   * is older than what is stored. After it, the cache is the truth again (even if someone else
   * changed the status since).
   */
  private readonly written = new Map<
    string,
    { status: PolicyJobWatchStatus; resourceVersion: string }
  >();

  /** Per resource: a budget lowered after the apiserver refused a status as too large. */
  private readonly budgets = new Map<string, number>();

  constructor(
    private readonly deps: ReconcileDeps,
    private readonly settings: ReconcileSettings,
  ) {}

  /**
   * Called for every object the informer delivers. True when it is the echo of this
   * operator's own status write (nothing to reconcile for it).
   */
  isOwnWrite(key: string, resourceVersion: string | undefined): boolean {
    const written = this.written.get(key);
    if (written === undefined || written.resourceVersion !== resourceVersion) return false;
    this.written.delete(key);
    return true;
  }

  forget(key: string): void {
    this.written.delete(key);
    this.budgets.delete(key);
  }

  /**
   * `trigger` 'news': queued because another resource's UCS call brought new data for a job
   * this one names. Such a turn takes every answer from the job cache, whatever its age, and
   * calls UCS only for a job with no answer there: the resource's own polls stay on schedule.
   */
  async reconcile(
    namespace: string,
    name: string,
    log: Logger,
    trigger: 'poll' | 'news' = 'poll',
  ): Promise<Action> {
    const key = `${namespace}/${name}`;
    const started = this.deps.now().getTime();
    const resource = this.deps.getResource(namespace, name);
    if (!resource || resource.metadata.deletionTimestamp) {
      this.forget(key);
      return { kind: 'done' };
    }
    const generation = resource.metadata.generation ?? 0;
    const previous = this.latestStatus(key, resource);
    const parsed = parsePolicyJobWatchSpec(resource.spec);
    if (!parsed.ok) {
      log.warn('invalid spec', { message: parsed.message });
      await this.write(
        resource,
        previous,
        specInvalidStatus(previous, generation, parsed.message, this.deps.now()),
        log,
      );
      return { kind: 'done' };
    }
    const spec = parsed.spec;
    const pollMs =
      (spec.pollInterval === undefined ? undefined : parseDuration(spec.pollInterval)) ??
      this.settings.defaultPollIntervalMs;
    const annotation = resource.metadata.annotations?.[REQUESTED_AT_ANNOTATION];
    const requestedAt = annotation === undefined ? undefined : handledRequestedAtValue(annotation);
    const newRequest =
      requestedAt !== undefined && requestedAt !== previous?.lastHandledRequestedAt;
    const specChanged = previous?.observedGeneration !== generation;
    const forced = newRequest || specChanged;
    const suspend = spec.suspend === true;

    const previousJobs = new Map((previous?.jobs ?? []).map((j) => [j.jobID, j]));
    const due = suspend
      ? []
      : spec.jobIDs.filter((id) => forced || !isTerminal(previousJobs.get(id)));
    const observations = await this.observe(
      namespace,
      spec,
      due,
      freshness(key, newRequest ? 'request' : specChanged ? 'spec' : trigger, pollMs),
    );

    const status = computeStatus({
      generation,
      jobIDs: spec.jobIDs,
      suspend,
      previous,
      observations,
      ...(newRequest ? { handledRequestedAt: requestedAt } : {}),
      now: this.deps.now(),
      maxTasksPerJob: this.settings.maxTasksPerJob,
    });
    const outcome = await this.write(resource, previous, status, log);
    // Refused as too large: a minimal status says so; retry with backoff and a smaller budget.
    if (outcome === 'tooLarge') return { kind: 'backoff', minDelayMs: 0 };
    const elapsedMs = this.deps.now().getTime() - started;
    return this.next(status, observations, suspend, pollMs, elapsedMs);
  }

  /** The newer of the cached status and the one this operator wrote last. */
  private latestStatus(key: string, resource: PolicyJobWatch): PolicyJobWatchStatus | undefined {
    const written = this.written.get(key);
    if (written === undefined || this.isOwnWrite(key, resource.metadata.resourceVersion)) {
      return resource.status;
    }
    return written.status;
  }

  private async observe(
    namespace: string,
    spec: { jobIDs: readonly string[]; endpoint?: string; credentialsRef?: { name: string } },
    due: readonly string[],
    freshness: Freshness,
  ): Promise<Map<string, JobObservation>> {
    const observations = new Map<string, JobObservation>();
    if (due.length === 0) return observations;
    const failAll = (error: FetchError): Map<string, JobObservation> => {
      for (const id of due) observations.set(id, { kind: 'failed', error });
      return observations;
    };
    const ref = spec.credentialsRef;
    const decision = decideEndpoint(this.settings.endpointPolicy, spec.endpoint, ref !== undefined);
    if (!decision.ok)
      return failAll({ reason: 'EndpointNotAllowed', message: decision.message, retryable: false });
    const secret = ref ? { namespace, name: ref.name } : this.settings.defaultCredentials;
    const lookup = await this.deps.getCredentials(secret.namespace, secret.name);
    if (!lookup.ok) return failAll(lookup.error);
    const credentials = withIamEndpoint(lookup.credentials, this.settings.iamEndpointPolicy);
    if (!credentials.ok) {
      return failAll({
        reason: 'CredentialsInvalid',
        message: `Secret ${secret.namespace}/${secret.name}: ${credentials.message}`,
        retryable: false,
      });
    }
    const results = await Promise.all(
      due.map((id) => this.deps.getJob(decision.endpoint, credentials.credentials, id, freshness)),
    );
    due.forEach((id, i) => {
      const result = results[i];
      if (!result) return;
      observations.set(
        id,
        result.ok ? { kind: 'fetched', job: result.job } : { kind: 'failed', error: result.error },
      );
    });
    return observations;
  }

  /**
   * Writes the status within its budget (fitStatus) when it differs from what is stored. When
   * the apiserver still refuses it as too large, writes a minimal status whose conditions say
   * so, and halves this resource's budget for the next attempt.
   */
  private async write(
    resource: PolicyJobWatch,
    previous: PolicyJobWatchStatus | undefined,
    computed: PolicyJobWatchStatus,
    log: Logger,
  ): Promise<'written' | 'unchanged' | 'gone' | 'tooLarge'> {
    const namespace = resource.metadata.namespace ?? '';
    const name = resource.metadata.name ?? '';
    const key = `${namespace}/${name}`;
    const budget = this.budgets.get(key) ?? this.settings.maxStatusBytes ?? MAX_STATUS_JSON_BYTES;
    let status = fitStatus(computed, budget);
    if (previous !== undefined && isDeepStrictEqual(previous, status)) return 'unchanged';
    let tooLarge = false;
    let resourceVersion: string | undefined;
    try {
      resourceVersion = await this.deps.writeStatus(namespace, name, status);
    } catch (err) {
      if (!isTooLarge(err)) throw err;
      tooLarge = true;
      const bytes = statusBytes(status);
      const next = Math.max(MIN_STATUS_BUDGET, Math.floor(bytes / 2));
      this.budgets.set(key, next);
      const message = `the apiserver refused a status of ${bytes} bytes as too large (${apiMessage(err)}); showing phases and counts only, retrying with a budget of ${next} bytes`;
      log.warn('status too large', { bytes, retryBudget: next, error: apiMessage(err) });
      status = minimalStatus(computed, message, this.deps.now());
      if (previous !== undefined && isDeepStrictEqual(previous, status)) return 'tooLarge';
      resourceVersion = await this.deps.writeStatus(namespace, name, status);
    }
    if (resourceVersion === undefined) {
      this.forget(key);
      return 'gone';
    }
    this.written.set(key, { status, resourceVersion });
    log.info('status updated', {
      phase: status.phase,
      progress: status.progress,
      ready: status.conditions?.find((c) => c.type === 'Ready')?.reason,
    });
    const target: EventTarget = {
      apiVersion: API_VERSION,
      kind: KIND,
      name,
      namespace,
      ...(resource.metadata.uid ? { uid: resource.metadata.uid } : {}),
    };
    for (const event of transitionEvents(previous, status)) this.deps.recordEvent(target, event);
    return tooLarge ? 'tooLarge' : 'written';
  }

  private next(
    status: PolicyJobWatchStatus,
    observations: ReadonlyMap<string, JobObservation>,
    suspend: boolean,
    pollMs: number,
    elapsedMs: number,
  ): Action {
    if (suspend) return { kind: 'done' };
    const retrying = [...observations.values()].flatMap((o) =>
      o.kind === 'failed' && !isStalling(o.error.reason) ? [o.error] : [],
    );
    if (retrying.length > 0) {
      const retryAfterMs = Math.max(0, ...retrying.map((e) => (e.retryAfterSeconds ?? 0) * 1000));
      return { kind: 'backoff', minDelayMs: Math.min(retryAfterMs, MAX_RETRY_AFTER_MS) };
    }
    // Stalled fetches are checked again at the poll interval: a created Secret or a fixed
    // token is picked up without anyone touching the resource.
    const open = (status.jobs ?? []).some((j) => !isTerminal(j));
    if (!open) return { kind: 'done' };
    // The interval runs from when this reconcile started (when it fetched), not from when its
    // writes ended: otherwise every poll would be late by the time a reconcile takes.
    const jitter = 1 + JITTER * (2 * this.deps.random() - 1);
    const delayMs = Math.max(pollMs * jitter - elapsedMs, pollMs * MIN_REQUEUE_SHARE);
    return { kind: 'requeueAfter', delayMs: Math.round(delayMs) };
  }
}

/** Credentials that talk to IAM get the IAM endpoint the policy allows (or an error). */
function withIamEndpoint(
  credentials: UcsCredentials,
  policy: IamEndpointPolicy,
): { ok: true; credentials: UcsCredentials } | { ok: false; message: string } {
  if (credentials.kind === 'token') return { ok: true, credentials };
  const decision = decideIamEndpoint(policy, credentials.iamEndpoint);
  if (!decision.ok) return decision;
  return { ok: true, credentials: { ...credentials, iamEndpoint: decision.endpoint } };
}

/** How old a cached answer may be for this turn (see Freshness). */
function freshness(
  requester: string,
  why: 'request' | 'spec' | 'poll' | 'news',
  pollMs: number,
): Freshness {
  switch (why) {
    // The requested-at annotation asks for a fresh answer: nothing cached is reused.
    case 'request':
      return { requester, ownMs: 0, othersMs: 0 };
    // A new or edited resource: nothing of its own is reused, but an answer another resource
    // got moments ago is (resources created together share their first call).
    case 'spec':
      return { requester, ownMs: 0, othersMs: pollMs * OWN_CACHE_SHARE };
    // News of a shared job: every answer comes from the cache; the poll schedule fetches.
    case 'news':
      return { requester, ownMs: Infinity, othersMs: Infinity };
    case 'poll':
      return { requester, ownMs: pollMs * OWN_CACHE_SHARE, othersMs: pollMs };
  }
}
