import {
  KIND,
  API_VERSION,
  MAX_STATUS_JSON_BYTES,
  REQUESTED_AT_ANNOTATION,
  parseDuration,
  parsePolicyJobWatchSpec,
  type JobSelector,
  type PolicyJobWatch,
  type PolicyJobWatchSpec,
  type PolicyJobWatchStatus,
} from '../api/index.js';
import type { UcsCredentials } from '../ucs/index.js';
import {
  StatusTooLargeError,
  type CredentialsLookup,
  type EventTarget,
  type Logger,
} from './ports.js';
import {
  computeStatus,
  handledRequestedAtValue,
  isTerminal,
  type JobObservation,
} from './compute-status.js';
import { minimalStatus, specInvalidStatus } from './fallback-status.js';
import { fitStatus, statusBytes } from './status-budget.js';
import {
  decideEndpoint,
  withIamEndpoint,
  type EndpointPolicy,
  type IamEndpointPolicy,
} from './endpoint-policy.js';
import type { FetchError } from './fetch-error.js';
import type { Freshness } from './fresh-answers.js';
import type { ListAnswer } from './job-list-cache.js';
import { selectJobs } from './job-selector.js';
import type { JobAnswer, MappedJob } from './map-job.js';
import { selectorStatus } from './selector-status.js';
import { transitionEvents, type TransitionEvent } from './transition-events.js';

export type { Action } from './polling-policy.js';
import { freshness, nextAction, type Action } from './polling-policy.js';
import { jsonEqual } from './json-equal.js';

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
  /** GET /v1/policy/jobs?kind=KIND, through the shared list cache. */
  listJobs(
    endpoint: string,
    credentials: UcsCredentials,
    kind: string,
    freshness: Freshness,
  ): Promise<ListAnswer>;
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

/** The jobs a resource watches this turn: spec.jobIDs, or what its jobSelector selects. */
interface WatchedJobs {
  jobIDs: readonly string[];
  /** Answers from the job list, used as they are (no GET of these jobs). */
  listed: ReadonlyMap<string, MappedJob>;
  selector?: JobSelector;
  /** The list could not be read: jobIDs is the last good selection. */
  listError?: FetchError;
}

type Access =
  { ok: true; endpoint: string; credentials: UcsCredentials } | { ok: false; error: FetchError };

/** A budget halved after refusals never goes below this. */
const MIN_STATUS_BUDGET = 64 * 1024;

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
   *
   * An echo whose status is exactly the one written takes the written object in place of its
   * own parsed copy (the informer caches the very object it delivers): the written status
   * shares its task entries and strings with the job cache, so the cache holds each
   * resource's status once, not twice. Statuses are never changed in place, only replaced.
   */
  isOwnWrite(key: string, resource: PolicyJobWatch): boolean {
    const written = this.written.get(key);
    if (written === undefined || written.resourceVersion !== resource.metadata.resourceVersion)
      return false;
    this.written.delete(key);
    if (resource.status !== written.status && jsonEqual(resource.status, written.status))
      resource.status = written.status;
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

    const fresh = freshness(key, newRequest ? 'request' : specChanged ? 'spec' : trigger, pollMs);
    // After a spec change, the last selection is not the new selector's.
    const watched = await this.watchedJobs(
      namespace,
      spec,
      specChanged ? undefined : previous,
      suspend,
      fresh,
    );
    const previousJobs = new Map((previous?.jobs ?? []).map((j) => [j.jobID, j]));
    const due =
      suspend || watched.listError !== undefined
        ? []
        : watched.jobIDs.filter(
            (id) => !watched.listed.has(id) && (forced || !isTerminal(previousJobs.get(id))),
          );
    const observations = await this.observe(namespace, spec, due, fresh);
    for (const [id, job] of watched.listed) observations.set(id, { kind: 'fetched', job });
    if (watched.listError !== undefined)
      for (const id of watched.jobIDs)
        observations.set(id, { kind: 'failed', error: watched.listError });

    const computed = computeStatus({
      generation,
      jobIDs: watched.jobIDs,
      suspend,
      previous,
      observations,
      ...(newRequest ? { handledRequestedAt: requestedAt } : {}),
      now: this.deps.now(),
      maxTasksPerJob: this.settings.maxTasksPerJob,
    });
    const status =
      watched.selector === undefined
        ? computed
        : selectorStatus(computed, {
            selector: watched.selector,
            selectedJobIDs: watched.jobIDs,
            ...(watched.listError === undefined ? {} : { listError: watched.listError }),
            suspend,
            previous,
            generation,
            now: this.deps.now(),
          });
    const outcome = await this.write(resource, previous, status, log);
    // Refused as too large: a minimal status says so; retry with backoff and a smaller budget.
    if (outcome === 'tooLarge') return { kind: 'backoff', minDelayMs: 0 };
    const elapsedMs = this.deps.now().getTime() - started;
    return nextAction({
      status,
      observations,
      suspend,
      following: watched.selector !== undefined,
      ...(watched.listError === undefined ? {} : { listError: watched.listError }),
      pollMs,
      elapsedMs,
      random: () => this.deps.random(),
    });
  }

  /** The newer of the cached status and the one this operator wrote last. */
  private latestStatus(key: string, resource: PolicyJobWatch): PolicyJobWatchStatus | undefined {
    const written = this.written.get(key);
    if (written === undefined || this.isOwnWrite(key, resource)) {
      return resource.status;
    }
    return written.status;
  }

  /**
   * Which job IDs the resource watches now: spec.jobIDs, or the newest jobs its selector
   * matches in the (shared) job list, with the list's answers for them. When the list cannot
   * be read, the last good selection stands (`previous` is undefined after a spec change).
   */
  private async watchedJobs(
    namespace: string,
    spec: PolicyJobWatchSpec,
    previous: PolicyJobWatchStatus | undefined,
    suspend: boolean,
    fresh: Freshness,
  ): Promise<WatchedJobs> {
    const selector = spec.jobSelector;
    if (selector === undefined) return { jobIDs: spec.jobIDs ?? [], listed: new Map() };
    const kept = { selector, jobIDs: previous?.selectedJobIDs ?? [], listed: new Map() };
    if (suspend) return kept;
    const access = await this.access(namespace, spec);
    if (!access.ok) return { ...kept, listError: access.error };
    const answer = await this.deps.listJobs(
      access.endpoint,
      access.credentials,
      selector.kind,
      fresh,
    );
    if (!answer.ok) return { ...kept, listError: answer.error };
    return { selector, ...selectJobs(answer.items, selector) };
  }

  /** The endpoint and credentials a resource may use (policy and its Secret), or why not. */
  private async access(
    namespace: string,
    spec: { endpoint?: string; credentialsRef?: { name: string } },
  ): Promise<Access> {
    const ref = spec.credentialsRef;
    const decision = decideEndpoint(this.settings.endpointPolicy, spec.endpoint, ref !== undefined);
    if (!decision.ok) {
      return {
        ok: false,
        error: { reason: 'EndpointNotAllowed', message: decision.message, retryable: false },
      };
    }
    const secret = ref ? { namespace, name: ref.name } : this.settings.defaultCredentials;
    const lookup = await this.deps.getCredentials(secret.namespace, secret.name);
    if (!lookup.ok) return { ok: false, error: lookup.error };
    const credentials = withIamEndpoint(lookup.credentials, this.settings.iamEndpointPolicy);
    if (!credentials.ok) {
      return {
        ok: false,
        error: {
          reason: 'CredentialsInvalid',
          message: `Secret ${secret.namespace}/${secret.name}: ${credentials.message}`,
          retryable: false,
        },
      };
    }
    return { ok: true, endpoint: decision.endpoint, credentials: credentials.credentials };
  }

  private async observe(
    namespace: string,
    spec: { endpoint?: string; credentialsRef?: { name: string } },
    due: readonly string[],
    freshness: Freshness,
  ): Promise<Map<string, JobObservation>> {
    const observations = new Map<string, JobObservation>();
    if (due.length === 0) return observations;
    const access = await this.access(namespace, spec);
    if (!access.ok) {
      for (const id of due) observations.set(id, { kind: 'failed', error: access.error });
      return observations;
    }
    const results = await Promise.all(
      due.map((id) => this.deps.getJob(access.endpoint, access.credentials, id, freshness)),
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
    if (previous !== undefined && jsonEqual(previous, status)) return 'unchanged';
    let tooLarge = false;
    let resourceVersion: string | undefined;
    try {
      resourceVersion = await this.deps.writeStatus(namespace, name, status);
    } catch (err) {
      if (!(err instanceof StatusTooLargeError)) throw err;
      tooLarge = true;
      const bytes = statusBytes(status);
      const next = Math.max(MIN_STATUS_BUDGET, Math.floor(bytes / 2));
      this.budgets.set(key, next);
      const message = `the apiserver refused a status of ${bytes} bytes as too large (${err.message}); showing phases and counts only, retrying with a budget of ${next} bytes`;
      log.warn('status too large', { bytes, retryBudget: next, error: err.message });
      status = minimalStatus(computed, message, this.deps.now());
      if (previous !== undefined && jsonEqual(previous, status)) return 'tooLarge';
      resourceVersion = await this.deps.writeStatus(namespace, name, status);
    }
    if (resourceVersion === undefined) {
      this.forget(key);
      return 'gone';
    }
    this.written.set(key, { status, resourceVersion });
    logStatusWritten(log, previous, status);
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
}

/**
 * "status updated": at info when the phase or the Ready reason changed (what `kubectl get`
 * shows), at debug when only progress or task details moved. The peer (controller-runtime)
 * logs every write at V(1); a fleet's task updates at info would be one line a write.
 */
function logStatusWritten(
  log: Logger,
  previous: PolicyJobWatchStatus | undefined,
  status: PolicyJobWatchStatus,
): void {
  const ready = readyReason(status);
  const transition = previous?.phase !== status.phase || readyReason(previous) !== ready;
  if (!transition && !log.isDebugEnabled()) return;
  const fields = { phase: status.phase, progress: status.progress, ready };
  if (transition) log.info('status updated', fields);
  else log.debug('status updated', fields);
}

function readyReason(status: PolicyJobWatchStatus | undefined): string | undefined {
  return status?.conditions?.find((c) => c.type === 'Ready')?.reason;
}
