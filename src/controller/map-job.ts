import type { UcsJob } from '../ucs/index.js';
import { documentedOutcome, jobOutcome, normalizeTimestamp } from '../ucs/index.js';
import {
  MAX_EXTEND_PARAM_FIELDS,
  MAX_EXTEND_PARAM_JSON_LENGTH,
  MAX_MESSAGE_LENGTH,
  MAX_RELATED_OBJECTS,
  MAX_STRING_LENGTH,
  MAX_TASKS_PER_JOB,
  type JobEntry,
  type TaskEntry,
  type TaskSummary,
} from '../api/index.js';
import type { FetchError } from './fetch-error.js';
import { compact } from './plain-objects.js';

/**
 * Levels of nesting kept in extendParam. The CRD stores any JSON there, but a deep nest breaks
 * whatever walks it recursively (JSON.stringify throws RangeError at about 10,000 levels,
 * a recursive comparison such as jsonEqual sooner): deeper values become DEPTH_NOTE.
 */
export const MAX_EXTEND_PARAM_DEPTH = 32;
export const DEPTH_NOTE = `(nested deeper than ${MAX_EXTEND_PARAM_DEPTH} levels: left out)`;

export type TaskBucket = 'succeeded' | 'failed' | 'running' | 'other';

/** One task of a mapped job: its entry, where it was in UCS's taskList, how it is counted. */
export interface MappedTask {
  index: number;
  bucket: TaskBucket;
  entry: TaskEntry;
  /** Unreadable timestamps of this task, by their path in the job entry (tasks[3].status.startTime). */
  rawTimestamps?: Record<string, string>;
}

/**
 * A UCS answer mapped into the CRD's bounds, the same for every resource that names the job:
 * this, not the raw answer, is what the job cache keeps. Every string is clipped, extendParam
 * is depth-bounded, unknown fields are gone, and at most `keepTasks` tasks are kept (in the
 * order a resource keeps them: failed, running, other, succeeded), while taskSummary counts
 * all of them.
 */
export interface MappedJob {
  /** The UCS fields of the job entry and its phase (without jobID and the task list). */
  fields: Omit<JobEntry, 'jobID' | 'tasks' | 'taskSummary' | 'tasksTruncated' | 'message'>;
  /** What was left out or changed, for the entry's message. */
  notes: string[];
  taskSummary: TaskSummary;
  /** Failed, running, other, then succeeded tasks, in API order within each. */
  tasks: MappedTask[];
}

/** What the job cache hands out: a mapped job, or why there is none. */
export type JobAnswer =
  /** `digest`: of the UCS answer's body the job was mapped from (see UcsClient.getJob). */
  { ok: true; job: MappedJob; digest?: string } | { ok: false; error: FetchError };

/** Strings from UCS are bounded like the CRD bounds them (the rest is cut, not refused). */
export function clip(value: string, max?: number): string;
export function clip(value: string | undefined, max?: number): string | undefined;
export function clip(value: string | undefined, max = MAX_STRING_LENGTH): string | undefined {
  if (value === undefined || value.length <= max) return value;
  let end = max - 1;
  // Never split a surrogate pair: half an emoji is a lone surrogate, which UTF-8 cannot hold.
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${value.slice(0, end)}…`;
}

/**
 * A copy of a JSON value with at most `maxDepth` levels of arrays and objects: anything deeper
 * is replaced by `note`. `deeper` is set when that happened. The recursion is bounded by
 * `maxDepth`, so no nest UCS sends can overflow the stack here or in any later step.
 */
export function depthBounded(
  value: unknown,
  maxDepth: number,
  note: string = DEPTH_NOTE,
): { value: unknown; deeper: boolean } {
  let deeper = false;
  const copy = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (depth >= maxDepth) {
      deeper = true;
      return note;
    }
    if (Array.isArray(v)) return v.map((item: unknown) => copy(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) out[k] = copy(item, depth + 1);
    return out;
  };
  return { value: copy(value, 0), deeper };
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

/**
 * extendParam copied depth-bounded (see MAX_EXTEND_PARAM_DEPTH), or undefined with a note when
 * it is wider or longer than the CRD allows.
 */
function boundedExtendParam(
  value: Record<string, unknown> | undefined,
  notes: string[],
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  const tooLarge = `extendParam left out: more than ${MAX_EXTEND_PARAM_FIELDS} fields or ${MAX_EXTEND_PARAM_JSON_LENGTH} characters of JSON`;
  if (Object.keys(value).length > MAX_EXTEND_PARAM_FIELDS) {
    notes.push(tooLarge);
    return undefined;
  }
  const bounded = depthBounded(value, MAX_EXTEND_PARAM_DEPTH);
  const copy = bounded.value as Record<string, unknown>;
  if (JSON.stringify(copy).length > MAX_EXTEND_PARAM_JSON_LENGTH) {
    notes.push(tooLarge);
    return undefined;
  }
  if (bounded.deeper)
    notes.push(`extendParam: values nested deeper than ${MAX_EXTEND_PARAM_DEPTH} levels left out`);
  return copy;
}

/** Normalised timestamp; an unparseable one goes to `raw` under its field path. */
class TimestampMapper {
  readonly raw: Record<string, string> = {};

  map(path: string, value: string | undefined): string | undefined {
    if (value === undefined || value === '') return undefined;
    const normalized = normalizeTimestamp(value);
    if (normalized === undefined) this.raw[path] = value.slice(0, 256);
    return normalized;
  }

  /** The raw timestamps collected so far, or undefined when there are none. */
  take(): Record<string, string> | undefined {
    return Object.keys(this.raw).length > 0 ? { ...this.raw } : undefined;
  }
}

/**
 * Maps a UCS answer into the CRD's bounds, keeping at most `keepTasks` tasks (no resource
 * keeps more than MAX_TASKS_PER_JOB). Pure and never throws on anything the UCS client parses.
 */
export function mapJob(job: UcsJob, keepTasks: number = MAX_TASKS_PER_JOB): MappedJob {
  const times = new TimestampMapper();
  const notes: string[] = [];
  const md = job.metadata ?? {};
  const spec = job.spec ?? {};
  const outcome = jobOutcome(job.status?.status);
  const fields: MappedJob['fields'] = compact({
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
    rawTimestamps: times.take(),
  });
  const { tasks, summary } = selectTasks(spec.taskList ?? [], keepTasks);
  return { fields, notes, taskSummary: summary, tasks };
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

function mapTask(task: UcsTask, index: number, bucket: TaskBucket): MappedTask {
  const times = new TimestampMapper();
  const md = task.metadata ?? {};
  const spec = task.spec ?? {};
  const path = `tasks[${index}]`;
  const entry: TaskEntry = compact({
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
  return compact({ index, bucket, entry, rawTimestamps: times.take() });
}

/**
 * Task statuses are undocumented: only the job vocabulary is counted (read as jobOutcome reads
 * it, in any case), the rest is "other".
 */
export function taskBucket(status: string | undefined): TaskBucket {
  switch (documentedOutcome(status)) {
    case 'Succeeded':
      return 'succeeded';
    case 'Failed':
    case 'TimedOut':
      return 'failed';
    case 'Running':
      return 'running';
    case undefined:
      return 'other';
  }
}

/** The order in which tasks are kept: failures first, then running, the rest, successes. */
export const KEEP_ORDER: readonly TaskBucket[] = ['failed', 'running', 'other', 'succeeded'];

/**
 * Exact counts over all tasks, and the first `max` in KEEP_ORDER (API order within each),
 * mapped. Only the kept tasks are mapped: a 100,000-task answer costs a count, not a copy.
 */
function selectTasks(
  tasks: readonly UcsTask[],
  max: number,
): { tasks: MappedTask[]; summary: TaskSummary } {
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
  const kept = KEEP_ORDER.flatMap((bucket) => byBucket[bucket].map((index) => ({ index, bucket })))
    .slice(0, max)
    .map(({ index, bucket }) => mapTask(tasks[index] ?? {}, index, bucket));
  return { tasks: kept, summary };
}
