import {
  JobEntrySchema,
  MAX_MESSAGE_LENGTH,
  describeIssues,
  type JobEntry,
  type JobError,
} from '../api/index.js';
import type { FetchError } from './fetch-error.js';
import { clip, type MappedJob } from './map-job.js';

/**
 * One job's entry in the status: a mapped UCS answer (map-job.ts) cut to the resource's share
 * of tasks and checked against the CRD's bounds, or the previous entry with this turn's error.
 */

/** What the reconcile learned about one job this time. */
export type JobObservation =
  | { kind: 'fetched'; job: MappedJob }
  | { kind: 'failed'; error: FetchError }
  /** Not fetched (terminal, suspended, not due): the previous entry stands. */
  | { kind: 'kept' };

/**
 * Tasks kept across all jobs of one resource. A status must stay well under etcd's request
 * limit (about 1.5 MB): a seed-shaped task is about 550 bytes of JSON, so 1,000 tasks leave
 * room for everything else. The per-job cap is --max-tasks-per-job or this budget shared
 * between the jobs, whichever is smaller.
 */
export const TASK_BUDGET_PER_RESOURCE = 1000;

/** Tasks each job may keep: --max-tasks-per-job, or the resource's budget shared between its jobs. */
export function tasksPerJob(maxTasksPerJob: number, jobCount: number): number {
  return Math.max(
    1,
    Math.min(maxTasksPerJob, Math.floor(TASK_BUDGET_PER_RESOURCE / Math.max(1, jobCount))),
  );
}

export function jobEntry(
  jobID: string,
  previous: JobEntry | undefined,
  observation: JobObservation | undefined,
  now: Date,
  maxTasks: number,
): JobEntry {
  const base: JobEntry = previous ?? { jobID, phase: 'Pending' };
  if (observation?.kind === 'fetched') {
    const entry = entryFor(jobID, observation.job, now, maxTasks);
    // Defence in depth: an answer the CRD would refuse must not block the whole status write,
    // nor replace what is known. It becomes this job's error instead.
    const problem = entryProblem(observation.job, entry, maxTasks);
    if (problem === undefined) return entry;
    return {
      ...base,
      lastError: {
        reason: 'InvalidResponse',
        message: clip(`the UCS answer cannot be stored: ${problem}`, MAX_MESSAGE_LENGTH),
      },
    };
  }
  if (observation?.kind === 'failed') return { ...base, lastError: jobError(observation.error) };
  return base;
}

/**
 * What the CRD would refuse in an entry, checked once per mapped job and entry shape: a mapped
 * job is never changed once made (the job cache hands the same one to every resource, poll
 * after poll, while UCS sends the same answer), and its entry is fixed by the job ID, the
 * tasks kept and the message, so the same four give the same verdict.
 */
const verdicts = new WeakMap<MappedJob, Map<string, string | undefined>>();

function entryProblem(job: MappedJob, entry: JobEntry, maxTasks: number): string | undefined {
  const key = `${entry.jobID}\u0000${maxTasks}\u0000${entry.message ?? ''}`;
  let known = verdicts.get(job);
  if (known?.has(key)) return known.get(key);
  const checked = JobEntrySchema.safeParse(entry);
  const problem = checked.success ? undefined : describeIssues('job', checked.error);
  if (known === undefined) {
    known = new Map<string, string | undefined>();
    verdicts.set(job, known);
  }
  known.set(key, problem);
  return problem;
}

function jobError(error: FetchError): JobError {
  const out: JobError = { reason: error.reason, message: clip(error.message, MAX_MESSAGE_LENGTH) };
  if (error.httpStatus !== undefined) out.httpStatus = error.httpStatus;
  if (error.code !== undefined) out.code = clip(error.code);
  if (error.requestID !== undefined) out.requestID = clip(error.requestID);
  return out;
}

/** The entry a resource shows for a mapped job: its share of the tasks, notes and timestamps. */
function entryFor(jobID: string, job: MappedJob, now: Date, maxTasks: number): JobEntry {
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
  const overdue = overdueMessage(entry, now);
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
