import { jobOutcome } from '../ucs/index.js';
import {
  JobEntrySchema,
  MAX_MESSAGE_LENGTH,
  MAX_STRING_LENGTH,
  describeIssues,
  type Condition,
  type JobEntry,
  type JobError,
  type PolicyJobWatchStatus,
} from '../api/index.js';
import { isStalling, type FetchError } from './fetch-error.js';
import { clip, type MappedJob } from './map-job.js';

/** What the reconcile learned about one job this time. */
export type JobObservation =
  | { kind: 'fetched'; job: MappedJob }
  | { kind: 'failed'; error: FetchError }
  /** Not fetched (terminal, suspended, not due): the previous entry stands. */
  | { kind: 'kept' };

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

/**
 * Tasks kept across all jobs of one resource. A status must stay well under etcd's request
 * limit (about 1.5 MB): a seed-shaped task is about 550 bytes of JSON, so 1,000 tasks leave
 * room for everything else. The per-job cap is --max-tasks-per-job or this budget shared
 * between the jobs, whichever is smaller.
 */
export const TASK_BUDGET_PER_RESOURCE = 1000;

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
  const maxTasks = Math.max(
    1,
    Math.min(
      input.maxTasksPerJob,
      Math.floor(TASK_BUDGET_PER_RESOURCE / Math.max(1, input.jobIDs.length)),
    ),
  );
  const jobs = input.jobIDs.map((jobID) =>
    jobEntry(jobID, previousJobs.get(jobID), input.observations.get(jobID), input, maxTasks),
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
    conditions: conditionsFor(jobs, input),
    jobs,
  };
  const requestedAt = input.handledRequestedAt ?? input.previous?.lastHandledRequestedAt;
  if (requestedAt !== undefined) status.lastHandledRequestedAt = requestedAt;
  return wellFormed(status);
}

/**
 * Lone UTF-16 surrogates (JSON allows "\ud800", UTF-8 cannot hold it) become U+FFFD: the
 * apiserver refuses them, and what is compared must be what gets stored.
 */
function wellFormed<T>(value: T): T {
  if (typeof value === 'string') return value.toWellFormed() as T;
  if (Array.isArray(value)) return value.map((v: unknown) => wellFormed(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.toWellFormed(), wellFormed(v)]),
    ) as T;
  }
  return value;
}

function jobEntry(
  jobID: string,
  previous: JobEntry | undefined,
  observation: JobObservation | undefined,
  input: StatusInput,
  maxTasks: number,
): JobEntry {
  const base: JobEntry = previous ?? { jobID, phase: 'Pending' };
  if (observation?.kind === 'fetched') {
    const entry = entryFor(jobID, observation.job, input, maxTasks);
    // Defence in depth: an answer the CRD would refuse must not block the whole status write,
    // nor replace what is known. It becomes this job's error instead.
    const checked = JobEntrySchema.safeParse(entry);
    if (checked.success) return entry;
    return {
      ...base,
      lastError: {
        reason: 'InvalidResponse',
        message: clip(
          `the UCS answer cannot be stored: ${describeIssues('job', checked.error)}`,
          MAX_MESSAGE_LENGTH,
        ),
      },
    };
  }
  if (observation?.kind === 'failed') return { ...base, lastError: jobError(observation.error) };
  return base;
}

function jobError(error: FetchError): JobError {
  const out: JobError = { reason: error.reason, message: clip(error.message, MAX_MESSAGE_LENGTH) };
  if (error.httpStatus !== undefined) out.httpStatus = error.httpStatus;
  if (error.code !== undefined) out.code = clip(error.code);
  if (error.requestID !== undefined) out.requestID = clip(error.requestID);
  return out;
}

/** The entry a resource shows for a mapped job: its share of the tasks, notes and timestamps. */
function entryFor(jobID: string, job: MappedJob, input: StatusInput, maxTasks: number): JobEntry {
  const kept = job.tasks.slice(0, maxTasks).sort((a, b) => a.index - b.index);
  const { rawTimestamps: jobRaw, ...fields } = job.fields;
  const entry: JobEntry = { jobID, ...fields };
  entry.taskSummary = { ...job.taskSummary };
  entry.tasks = kept.map((t) => t.entry);
  entry.tasksTruncated = kept.length < job.taskSummary.total;
  const raw = Object.assign({}, jobRaw, ...kept.map((t) => t.rawTimestamps ?? {})) as Record<
    string,
    string
  >;
  if (Object.keys(raw).length > 0) entry.rawTimestamps = raw;
  const notes = [...job.notes];
  const overdue = overdueMessage(entry, input.now);
  if (overdue) notes.unshift(overdue);
  if (notes.length > 0) entry.message = clip(notes.join('; '), MAX_MESSAGE_LENGTH);
  return entry;
}

function overdueMessage(entry: JobEntry, now: Date): string | undefined {
  const start = entry.status?.startTime;
  const wait = entry.waitTimeOut;
  if (entry.phase !== 'Running' || start === undefined || wait === undefined || wait <= 0)
    return undefined;
  const deadline = Date.parse(start) + wait * 1000;
  if (Number.isNaN(deadline) || now.getTime() <= deadline) return undefined;
  // Static text on purpose: a growing "N minutes late" would rewrite the status every poll.
  return `overdue: still Running after its waitTimeOut of ${wait}s (started ${start})`;
}

/**
 * The one condition builder: a condition keeps its lastTransitionTime while its status stays
 * the same (metav1.Condition's rule), so an unchanged state never rewrites the status.
 */
export function makeCondition(
  previous: readonly Condition[] | undefined,
  at: { generation: number; now: Date },
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
): Condition {
  const before = previous?.find((c) => c.type === type);
  const lastTransitionTime =
    before && before.status === status ? before.lastTransitionTime : at.now.toISOString();
  return {
    type,
    status,
    observedGeneration: at.generation,
    lastTransitionTime,
    reason,
    message: clip(message, MAX_MESSAGE_LENGTH),
  };
}

/** JobTimedOut or JobFailed for a failed job, decided by jobOutcome like its phase. */
export function failureReason(job: JobEntry): 'JobTimedOut' | 'JobFailed' {
  return jobOutcome(job.status?.status) === 'TimedOut' ? 'JobTimedOut' : 'JobFailed';
}

/**
 * The status for a spec that slipped past the CRD's validation: everything known is kept, the
 * conditions say SpecInvalid.
 */
export function specInvalidStatus(
  previous: PolicyJobWatchStatus | undefined,
  generation: number,
  message: string,
  now: Date,
): PolicyJobWatchStatus {
  const make = (type: string, status: 'True' | 'False') =>
    makeCondition(previous?.conditions, { generation, now }, type, status, 'SpecInvalid', message);
  return {
    ...(previous ?? {}),
    observedGeneration: generation,
    conditions: [make('Ready', 'False'), make('Stalled', 'True')],
  };
}

/**
 * What is written when the apiserver refused the status as too large: the phases and counts of
 * every job (what decisions rest on), no details, and Ready=False / Reconciling=True with
 * reason StatusTooLarge and `message`.
 */
export function minimalStatus(
  status: PolicyJobWatchStatus,
  message: string,
  now: Date,
): PolicyJobWatchStatus {
  const at = { generation: status.observedGeneration ?? 0, now };
  const make = (type: string) =>
    makeCondition(
      status.conditions,
      at,
      type,
      type === 'Ready' ? 'False' : 'True',
      'StatusTooLarge',
      message,
    );
  const jobs = (status.jobs ?? []).map((j): JobEntry => {
    const entry: JobEntry = { jobID: j.jobID, phase: j.phase };
    if (j.status?.status !== undefined) entry.status = { status: j.status.status };
    if (j.taskSummary) entry.taskSummary = j.taskSummary;
    if (j.lastError) entry.lastError = { ...j.lastError, message: clip(j.lastError.message, 256) };
    return entry;
  });
  const omitted = jobs.reduce((n, j) => n + (j.taskSummary?.total ?? 0), 0);
  const out: PolicyJobWatchStatus = {
    ...(status.observedGeneration === undefined
      ? {}
      : { observedGeneration: status.observedGeneration }),
    ...(status.phase === undefined ? {} : { phase: status.phase }),
    ...(status.progress === undefined ? {} : { progress: status.progress }),
    ...(status.summary === undefined ? {} : { summary: status.summary }),
    conditions: [make('Ready'), make('Reconciling')],
    jobs,
    truncated: { message, tasksOmitted: omitted },
  };
  if (status.lastHandledRequestedAt !== undefined)
    out.lastHandledRequestedAt = status.lastHandledRequestedAt;
  return out;
}

function conditionsFor(jobs: readonly JobEntry[], input: StatusInput): Condition[] {
  const make = (type: string, status: 'True' | 'False', reason: string, message: string) =>
    makeCondition(input.previous?.conditions, input, type, status, reason, message);

  if (input.suspend) {
    return [
      make(
        'Ready',
        'False',
        'Suspended',
        'polling is suspended (spec.suspend); the status shows the last known state',
      ),
    ];
  }

  const failed = jobs.filter((j) => j.phase === 'Failed');
  if (failed.length > 0) {
    const reason = failed[0] === undefined ? 'JobFailed' : failureReason(failed[0]);
    const message = failed.map(describeFailure).join('; ');
    return [make('Ready', 'False', reason, message), make('Stalled', 'True', reason, message)];
  }

  const stalled = jobs.filter((j) => j.lastError !== undefined && isStalling(j.lastError.reason));
  if (stalled.length > 0) {
    const reason = stalled[0]?.lastError?.reason ?? 'FetchFailed';
    const message = stalled.map((j) => `job ${j.jobID}: ${j.lastError?.message ?? ''}`).join('; ');
    return [make('Ready', 'False', reason, message), make('Stalled', 'True', reason, message)];
  }

  const succeeded = jobs.filter((j) => j.phase === 'Succeeded').length;
  if (succeeded === jobs.length) {
    return [make('Ready', 'True', 'JobsSucceeded', `all ${jobs.length} jobs succeeded`)];
  }

  const retrying = jobs.filter((j) => j.lastError !== undefined);
  const pending = jobs.filter((j) => j.phase === 'Pending').length;
  const reason =
    retrying.length > 0 ? 'FetchRetrying' : pending === jobs.length ? 'Pending' : 'JobsRunning';
  const parts = [`${succeeded}/${jobs.length} jobs succeeded`];
  const running = jobs.filter((j) => j.phase === 'Running');
  if (running.length > 0) parts.push(`running: ${running.map((j) => j.jobID).join(', ')}`);
  for (const j of retrying)
    parts.push(`job ${j.jobID}: ${j.lastError?.reason ?? ''}: ${j.lastError?.message ?? ''}`);
  for (const j of running) if (j.message) parts.push(`job ${j.jobID}: ${j.message}`);
  const message = parts.join('; ');
  return [make('Ready', 'False', reason, message), make('Reconciling', 'True', reason, message)];
}

function describeFailure(job: JobEntry): string {
  const raw = job.status?.status ?? 'Failed';
  const why = job.status?.reason ? `: ${job.status.reason}` : '';
  const summary = job.taskSummary;
  const tasks =
    summary && summary.total > 0 ? ` (${summary.failed}/${summary.total} tasks failed)` : '';
  return `job ${job.jobID} ${raw}${why}${tasks}`;
}
