import { MAX_STRING_LENGTH, type JobEntry, type PolicyJobWatchStatus } from '../api/index.js';
import { conditionsFor } from './conditions.js';
import { jobEntry, tasksPerJob, type JobObservation } from './job-entry.js';
import { carriedTruncation } from './status-budget.js';

export type { JobObservation } from './job-entry.js';

/**
 * The aggregation: the whole status of a resource from its job entries (job-entry.ts) and
 * conditions (conditions.ts).
 */

export interface StatusInput {
  generation: number;
  jobIDs: readonly string[];
  suspend: boolean;
  previous: PolicyJobWatchStatus | undefined;
  observations: ReadonlyMap<string, JobObservation>;
  /** The requested-at annotation value this reconcile handled, if any. */
  handledRequestedAt?: string;
  now: Date;
  maxTasksPerJob: number;
}

const TERMINAL_PHASES = new Set(['Succeeded', 'Failed']);

/** Longest requested-at value echoed into lastHandledRequestedAt (the CRD's string bound). */
const MAX_REQUESTED_AT = MAX_STRING_LENGTH;

export function handledRequestedAtValue(annotation: string): string {
  return annotation.slice(0, MAX_REQUESTED_AT);
}

export function isTerminal(entry: JobEntry | undefined): boolean {
  return entry !== undefined && TERMINAL_PHASES.has(entry.phase) && entry.lastError === undefined;
}

/**
 * The whole desired status from the spec, the previous status and this reconcile's
 * observations. Pure: the same input gives the same output, so it is table-tested, and the
 * caller writes only when the result differs from what is stored.
 */
export function computeStatus(input: StatusInput): PolicyJobWatchStatus {
  const previousJobs = new Map((input.previous?.jobs ?? []).map((j) => [j.jobID, j]));
  const maxTasks = tasksPerJob(input.maxTasksPerJob, input.jobIDs.length);
  const jobs = input.jobIDs.map((jobID) =>
    jobEntry(jobID, previousJobs.get(jobID), input.observations.get(jobID), input.now, maxTasks),
  );
  const summary = {
    total: jobs.length,
    succeeded: jobs.filter((j) => j.phase === 'Succeeded').length,
    failed: jobs.filter((j) => j.phase === 'Failed').length,
    running: jobs.filter((j) => j.phase === 'Running').length,
    pending: jobs.filter((j) => j.phase === 'Pending').length,
  };
  const phase =
    summary.failed > 0
      ? 'Failed'
      : summary.succeeded === summary.total
        ? 'Succeeded'
        : summary.pending === summary.total
          ? 'Pending'
          : 'Running';
  const status: PolicyJobWatchStatus = {
    observedGeneration: input.generation,
    phase,
    progress: `${summary.succeeded}/${summary.total}`,
    summary,
    conditions: conditionsFor(jobs, input.previous?.conditions, input.suspend, input),
    jobs,
  };
  const requestedAt = input.handledRequestedAt ?? input.previous?.lastHandledRequestedAt;
  if (requestedAt !== undefined) status.lastHandledRequestedAt = requestedAt;
  // Entries that hold the previous entry's tasks (not fetched, or fetched but refused).
  const kept = jobs.filter(
    (j) => j.tasks !== undefined && j.tasks === previousJobs.get(j.jobID)?.tasks,
  );
  const truncated = carriedTruncation(input.previous, kept, maxTasks);
  if (truncated !== undefined) status.truncated = truncated;
  return wellFormed(status);
}

/**
 * Lone UTF-16 surrogates (JSON allows "\ud800", UTF-8 cannot hold it) become U+FFFD: the
 * apiserver refuses them, and what is compared must be what gets stored. A value without any
 * (nearly every status) is returned as it is: the walk only checks, and copies only when a
 * string needs it.
 */
function wellFormed<T>(value: T): T {
  return isWellFormedDeep(value) ? value : wellFormedCopy(value);
}

function isWellFormedDeep(value: unknown): boolean {
  if (typeof value === 'string') return value.isWellFormed();
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) if (!isWellFormedDeep(item)) return false;
    return true;
  }
  if (value !== null && typeof value === 'object') {
    // for...in, not Object.entries: this runs on every status, and entries allocates a pair
    // per property.
    const record = value as Record<string, unknown>;
    for (const k in record) {
      if (Object.hasOwn(record, k) && (!k.isWellFormed() || !isWellFormedDeep(record[k])))
        return false;
    }
  }
  return true;
}

function wellFormedCopy<T>(value: T): T {
  if (typeof value === 'string') return value.toWellFormed() as T;
  if (Array.isArray(value)) return value.map((v: unknown) => wellFormedCopy(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.toWellFormed(), wellFormedCopy(v)]),
    ) as T;
  }
  return value;
}
