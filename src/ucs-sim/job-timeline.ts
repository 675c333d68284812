import { createHash } from 'node:crypto';
import type { JobDefaults, JobSpec } from './scenario-schema.js';
import { SEED_JOB, SEED_JOB_ID } from './seed-job.js';

// Turns a scenario job (with its shorthands and defaults) into concrete timelines: lists of
// (offset, status) for the job and for every task. Rendering then only looks values up.

/** The job statuses the API page documents as final. Task statuses are not documented. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'TimedOut']);

export interface TimelineEntry {
  /** Milliseconds after the job's epoch. */
  atMs: number;
  status: string;
  reason?: string;
}

export interface SimTask {
  uid: string;
  name: string;
  target: string;
  targetType: string;
  type: string;
  runway: string;
  waitTimeOut: number;
  timeline: TimelineEntry[];
}

export interface ModelledJob {
  kind: 'modelled';
  id: string;
  name: string;
  type: string;
  operation: string;
  domainID: string;
  waitTimeOut: number;
  relatedObjects?: Record<string, string>;
  extendParam: Record<string, unknown>;
  /** Before this offset the job does not exist yet (404). */
  createdAtMs: number;
  tasks: SimTask[];
  timeline: TimelineEntry[];
}

/** A job served as given, byte for byte: the seed, or a `raw` document. */
export interface VerbatimJob {
  kind: 'verbatim';
  id: string;
  body: string;
}

export type SimJob = ModelledJob | VerbatimJob;

const DEFAULTS = {
  type: SEED_JOB.spec.type,
  operation: SEED_JOB.spec.operation,
  domainID: SEED_JOB.spec.domainID,
  waitTimeOut: SEED_JOB.spec.waitTimeOut,
  targetType: 'cluster',
  runway: 'parallel',
};

/** A stable UUID-shaped id derived from text, so that a scenario renders the same every run. */
export function stableUuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\0')).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function isTerminal(status: string | undefined): boolean {
  return status !== undefined && TERMINAL_STATUSES.has(status);
}

interface Phase {
  timeline?: { at: number; status: string; reason?: string | undefined }[] | undefined;
  startAt?: number | undefined;
  finishAt?: number | undefined;
  status?: string | undefined;
  reason?: string | undefined;
}

function explicitTimeline(phase: Phase): TimelineEntry[] | undefined {
  if (phase.timeline === undefined) return undefined;
  return phase.timeline
    .map((e) =>
      e.reason === undefined
        ? { atMs: e.at, status: e.status }
        : { atMs: e.at, status: e.status, reason: e.reason },
    )
    .sort((a, b) => a.atMs - b.atMs);
}

function runThenFinish(
  startMs: number,
  finishMs: number | undefined,
  status: string,
  reason: string | undefined,
): TimelineEntry[] {
  const entries: TimelineEntry[] = [{ atMs: startMs, status: 'Running' }];
  if (finishMs !== undefined && status !== 'Running') {
    const last: TimelineEntry = { atMs: Math.max(finishMs, startMs), status };
    if (reason !== undefined) last.reason = reason;
    entries.push(last);
  }
  return entries;
}

function lastEntry(timeline: readonly TimelineEntry[]): TimelineEntry | undefined {
  return timeline[timeline.length - 1];
}

function finishedAt(timeline: readonly TimelineEntry[]): number | undefined {
  const last = lastEntry(timeline);
  return last !== undefined && isTerminal(last.status) ? last.atMs : undefined;
}

/**
 * A task's timeline. Unless the task has its own, it follows the job's given fields:
 * its timeline, or its startAt/finishAt/status; with `runway: serial` and a job finishAt,
 * the tasks share the job's run one after another in equal slots. A task with its own
 * finishAt (or slot) and no status ends Succeeded.
 */
function taskTimeline(
  task: Phase,
  job: Phase,
  jobTimeline: readonly TimelineEntry[] | undefined,
  slot: { startMs: number; finishMs: number } | undefined,
): TimelineEntry[] {
  const own = explicitTimeline(task);
  if (own !== undefined) return own;
  const hasShorthand =
    task.startAt !== undefined ||
    task.finishAt !== undefined ||
    task.status !== undefined ||
    task.reason !== undefined;
  if (jobTimeline !== undefined && !hasShorthand) return jobTimeline.map((e) => ({ ...e }));
  const jobLast = jobTimeline === undefined ? undefined : lastEntry(jobTimeline);
  const startMs = task.startAt ?? slot?.startMs ?? job.startAt ?? jobTimeline?.[0]?.atMs ?? 0;
  const ownFinishMs = task.finishAt ?? slot?.finishMs;
  const jobFinishMs =
    job.finishAt ?? (jobTimeline === undefined ? undefined : finishedAt(jobTimeline));
  const finishMs = ownFinishMs ?? jobFinishMs ?? (task.status === undefined ? undefined : startMs);
  // A task that ends with the job ends like the job; one with its own end succeeds unless told.
  const followsJob = ownFinishMs === undefined && task.status === undefined;
  const jobStatus = job.status ?? (isTerminal(jobLast?.status) ? jobLast?.status : undefined);
  const status = task.status ?? (followsJob ? jobStatus : undefined) ?? 'Succeeded';
  const reason = task.reason ?? (followsJob ? (job.reason ?? jobLast?.reason) : undefined);
  return runThenFinish(startMs, finishMs, status, reason);
}

/** Failed beats TimedOut beats Succeeded; the reason names the first task that failed. */
function outcomeOfTasks(tasks: readonly SimTask[]): { status: string; reason?: string } {
  const finals = tasks.map((t) => ({ task: t, last: lastEntry(t.timeline) }));
  for (const status of ['Failed', 'TimedOut']) {
    const culprit = finals.find((f) => f.last?.status === status);
    if (culprit !== undefined) {
      const why = culprit.last?.reason === undefined ? '' : `: ${culprit.last.reason}`;
      const verb = status === 'Failed' ? 'failed' : 'timed out';
      return {
        status,
        reason: `task on ${culprit.task.targetType} ${culprit.task.target} ${verb}${why}`,
      };
    }
  }
  return { status: 'Succeeded' };
}

function jobTimelineFromTasks(job: Phase, tasks: readonly SimTask[]): TimelineEntry[] {
  const starts = tasks.flatMap((t) => (t.timeline[0] === undefined ? [] : [t.timeline[0].atMs]));
  const startMs = job.startAt ?? (starts.length > 0 ? Math.min(...starts) : 0);
  const finishes = tasks.flatMap((t) => {
    const at = finishedAt(t.timeline);
    return at === undefined ? [] : [at];
  });
  // The job ends when its last task does; while any task runs on, so does the job.
  const allFinished = tasks.length > 0 && finishes.length === tasks.length;
  const finishMs =
    job.finishAt ??
    (allFinished ? Math.max(...finishes) : undefined) ??
    (job.status === undefined ? undefined : startMs);
  const derived = outcomeOfTasks(tasks);
  const status = job.status ?? derived.status;
  const reason = job.reason ?? (job.status === undefined ? derived.reason : undefined);
  return runThenFinish(startMs, finishMs, status, reason);
}

function verbatimSeed(id: string | undefined): VerbatimJob {
  if (id === undefined || id === SEED_JOB_ID) {
    return { kind: 'verbatim', id: SEED_JOB_ID, body: JSON.stringify(SEED_JOB) };
  }
  const copy = structuredClone(SEED_JOB);
  copy.metadata.uid = id;
  for (const task of copy.spec.taskList) task.spec.jobID = id;
  return { kind: 'verbatim', id, body: JSON.stringify(copy) };
}

/** Compiles one validated scenario job. */
export function compileJob(spec: JobSpec, defaults: JobDefaults = {}): SimJob {
  if (spec.seed === true) return verbatimSeed(spec.id);
  // The schema guarantees an id on every job that is not the seed.
  const id = spec.id ?? SEED_JOB_ID;
  if (spec.raw !== undefined) return { kind: 'verbatim', id, body: JSON.stringify(spec.raw) };

  const type = spec.type ?? defaults.type ?? DEFAULTS.type;
  const runway = spec.runway ?? defaults.runway ?? DEFAULTS.runway;
  const waitTimeOut = spec.waitTimeOut ?? defaults.waitTimeOut ?? DEFAULTS.waitTimeOut;
  const jobTimeline = explicitTimeline(spec);
  const specs = spec.tasks ?? [];
  const serialSpan =
    runway === 'serial' && spec.finishAt !== undefined && specs.length > 0
      ? { startMs: spec.startAt ?? 0, stepMs: (spec.finishAt - (spec.startAt ?? 0)) / specs.length }
      : undefined;

  const tasks = specs.map((task, index): SimTask => {
    const slot =
      serialSpan === undefined
        ? undefined
        : {
            startMs: Math.round(serialSpan.startMs + index * serialSpan.stepMs),
            finishMs: Math.round(serialSpan.startMs + (index + 1) * serialSpan.stepMs),
          };
    return {
      uid: task.uid ?? stableUuid(id, 'task', String(index), task.target),
      name: task.name ?? task.target,
      target: task.target,
      targetType: task.targetType ?? defaults.targetType ?? DEFAULTS.targetType,
      type: task.type ?? type,
      runway: task.runway ?? runway,
      waitTimeOut: task.waitTimeOut ?? waitTimeOut,
      timeline: taskTimeline(task, spec, jobTimeline, slot),
    };
  });

  const timeline = jobTimeline ?? jobTimelineFromTasks(spec, tasks);
  const job: ModelledJob = {
    kind: 'modelled',
    id,
    name: spec.name ?? `${type}_${stableUuid(id, 'name').slice(0, 8)}`,
    type,
    operation: spec.operation ?? defaults.operation ?? DEFAULTS.operation,
    domainID: spec.domainID ?? defaults.domainID ?? DEFAULTS.domainID,
    waitTimeOut,
    extendParam: spec.extendParam ?? { constraintID: stableUuid(id, 'constraint') },
    createdAtMs: spec.createdAt ?? 0,
    tasks,
    timeline,
  };
  if (spec.relatedObjects !== undefined) job.relatedObjects = spec.relatedObjects;
  return job;
}

/** Index of the entry in force at `relMs` (the last one at or before it), or -1 before the first. */
export function entryIndexAt(timeline: readonly TimelineEntry[], relMs: number): number {
  for (let i = timeline.length - 1; i >= 0; i -= 1) {
    const entry = timeline[i];
    if (entry !== undefined && entry.atMs <= relMs) return i;
  }
  return -1;
}

/**
 * Makes `status` the state from `relMs` on: later scheduled entries are dropped, since an
 * admin flip is the new truth for that job or task.
 */
export function flipTimeline(
  timeline: TimelineEntry[],
  relMs: number,
  status: string,
  reason: string | undefined,
): void {
  let keep = timeline.length;
  while (keep > 0 && (timeline[keep - 1]?.atMs ?? 0) > relMs) keep -= 1;
  timeline.length = keep;
  const entry: TimelineEntry = { atMs: relMs, status };
  if (reason !== undefined) entry.reason = reason;
  timeline.push(entry);
}
