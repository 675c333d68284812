import type { UcsJob } from '../ucs/index.js';
import { jobOutcome, normalizeTimestamp } from '../ucs/index.js';
import {
  JobEntrySchema,
  MAX_EXTEND_PARAM_FIELDS,
  MAX_EXTEND_PARAM_JSON_LENGTH,
  MAX_MESSAGE_LENGTH,
  MAX_RELATED_OBJECTS,
  MAX_STRING_LENGTH,
  describeIssues,
  type Condition,
  type JobEntry,
  type JobError,
  type PolicyJobWatchStatus,
  type TaskEntry,
  type TaskSummary,
} from '../api/index.js';
import { isStalling, type FetchError } from './fetch-error.js';

/** What the reconcile learned about one job this time. */
export type JobObservation =
  | { kind: 'fetched'; job: UcsJob }
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
    const entry = mapJob(jobID, observation.job, input, maxTasks);
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

/** Strings from UCS are bounded like the CRD bounds them (the rest is cut, not refused). */
function clip(value: string, max?: number): string;
function clip(value: string | undefined, max?: number): string | undefined;
function clip(value: string | undefined, max = MAX_STRING_LENGTH): string | undefined {
  if (value === undefined || value.length <= max) return value;
  return `${value.slice(0, max - 1)}…`;
}

/** relatedObjects within the CRD's bounds, or undefined with a note when it is not. */
function boundedRelatedObjects(
  value: Record<string, string> | undefined,
  notes: string[],
): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const entries = Object.entries(value);
  if (entries.length > MAX_RELATED_OBJECTS || entries.some(([k]) => k.length > 253)) {
    notes.push(
      `relatedObjects left out: more than ${MAX_RELATED_OBJECTS} entries or keys over 253 characters`,
    );
    return undefined;
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, clip(v)]));
}

function boundedExtendParam(
  value: Record<string, unknown> | undefined,
  notes: string[],
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (
    Object.keys(value).length > MAX_EXTEND_PARAM_FIELDS ||
    JSON.stringify(value).length > MAX_EXTEND_PARAM_JSON_LENGTH
  ) {
    notes.push(
      `extendParam left out: more than ${MAX_EXTEND_PARAM_FIELDS} fields or ${MAX_EXTEND_PARAM_JSON_LENGTH} characters of JSON`,
    );
    return undefined;
  }
  return value;
}

/** Normalised timestamp; an unparseable one goes to rawTimestamps under its field path. */
class TimestampMapper {
  readonly raw: Record<string, string> = {};

  map(path: string, value: string | undefined): string | undefined {
    if (value === undefined || value === '') return undefined;
    const normalized = normalizeTimestamp(value);
    if (normalized === undefined) this.raw[path] = value.slice(0, 256);
    return normalized;
  }
}

function mapJob(jobID: string, job: UcsJob, input: StatusInput, maxTasks: number): JobEntry {
  const times = new TimestampMapper();
  const notes: string[] = [];
  const md = job.metadata ?? {};
  const spec = job.spec ?? {};
  const outcome = jobOutcome(job.status?.status);
  const entry: JobEntry = compact({
    jobID,
    kind: clip(job.kind),
    apiVersion: clip(job.apiVersion),
    name: clip(md.name),
    uid: clip(md.uid),
    creationTimestamp: times.map('creationTimestamp', md.creationTimestamp),
    updateTimestamp: times.map('updateTimestamp', md.updateTimestamp),
    type: clip(spec.type),
    operation: clip(spec.operation),
    domainID: clip(spec.domainID),
    waitTimeOut: spec.waitTimeOut,
    relatedObjects: boundedRelatedObjects(spec.relatedObjects, notes),
    extendParam: boundedExtendParam(spec.extendParam, notes),
    status: ucsStatus(job.status, 'status', times),
    phase: outcome === 'TimedOut' ? 'Failed' : outcome,
  });
  const tasks = spec.taskList ?? [];
  const { kept, summary } = selectTasks(tasks, maxTasks);
  entry.taskSummary = summary;
  entry.tasks = kept.map((index) => mapTask(tasks[index] ?? {}, index, times));
  entry.tasksTruncated = kept.length < tasks.length;
  if (Object.keys(times.raw).length > 0) entry.rawTimestamps = times.raw;
  const overdue = overdueMessage(entry, input.now);
  if (overdue) notes.unshift(overdue);
  if (notes.length > 0) entry.message = clip(notes.join('; '), MAX_MESSAGE_LENGTH);
  return entry;
}

function ucsStatus(
  status: UcsJob['status'],
  path: string,
  times: TimestampMapper,
): JobEntry['status'] {
  return compact({
    status: clip(status?.status),
    reason: clip(status?.reason, MAX_MESSAGE_LENGTH),
    startTime: times.map(`${path}.startTime`, status?.startTime),
    finishTime: times.map(`${path}.finishTime`, status?.finishTime),
  });
}

type UcsTask = NonNullable<NonNullable<UcsJob['spec']>['taskList']>[number];

function mapTask(task: UcsTask, index: number, times: TimestampMapper): TaskEntry {
  const md = task.metadata ?? {};
  const spec = task.spec ?? {};
  const path = `tasks[${index}]`;
  return compact({
    kind: clip(task.kind),
    apiVersion: clip(task.apiVersion),
    name: clip(md.name),
    uid: clip(md.uid),
    creationTimestamp: times.map(`${path}.creationTimestamp`, md.creationTimestamp),
    updateTimestamp: times.map(`${path}.updateTimestamp`, md.updateTimestamp),
    jobID: clip(spec.jobID),
    target: clip(spec.target),
    targetType: clip(spec.targetType),
    type: clip(spec.type),
    runway: clip(spec.runway),
    waitTimeOut: spec.waitTimeOut,
    status: ucsStatus(task.status, `${path}.status`, times),
  });
}

type TaskBucket = 'succeeded' | 'failed' | 'running' | 'other';

/** Task statuses are undocumented: only the job vocabulary is counted, the rest is "other". */
function taskBucket(status: string | undefined): TaskBucket {
  switch (status) {
    case 'Succeeded':
      return 'succeeded';
    case 'Failed':
    case 'TimedOut':
      return 'failed';
    case 'Running':
      return 'running';
    default:
      return 'other';
  }
}

/**
 * Exact counts over all tasks, and which tasks to keep when there are more than `max`:
 * failures first, then running, then the rest, then successes, in API order within each.
 */
function selectTasks(
  tasks: readonly UcsTask[],
  max: number,
): { kept: number[]; summary: TaskSummary } {
  const summary: TaskSummary = {
    total: tasks.length,
    succeeded: 0,
    failed: 0,
    running: 0,
    other: 0,
  };
  const byBucket: Record<TaskBucket, number[]> = {
    failed: [],
    running: [],
    other: [],
    succeeded: [],
  };
  tasks.forEach((task, index) => {
    const bucket = taskBucket(task.status?.status);
    summary[bucket] += 1;
    byBucket[bucket].push(index);
  });
  if (tasks.length <= max) return { kept: tasks.map((_, i) => i), summary };
  const kept = [...byBucket.failed, ...byBucket.running, ...byBucket.other, ...byBucket.succeeded]
    .slice(0, max)
    .sort((a, b) => a - b);
  return { kept, summary };
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

function conditionsFor(jobs: readonly JobEntry[], input: StatusInput): Condition[] {
  const previous = input.previous?.conditions ?? [];
  const make = (
    type: string,
    status: 'True' | 'False',
    reason: string,
    message: string,
  ): Condition => {
    const before = previous.find((c) => c.type === type);
    const lastTransitionTime =
      before && before.status === status ? before.lastTransitionTime : input.now.toISOString();
    return {
      type,
      status,
      observedGeneration: input.generation,
      lastTransitionTime,
      reason,
      message: clip(message, MAX_MESSAGE_LENGTH),
    };
  };

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
    const first = failed[0];
    const reason = first?.status?.status === 'TimedOut' ? 'JobTimedOut' : 'JobFailed';
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

/** Drops undefined values, so that "absent" and "undefined" compare equal. */
function compact<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
