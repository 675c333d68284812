import {
  entryIndexAt,
  isTerminal,
  type ModelledJob,
  type SimTask,
  type TimelineEntry,
} from './job-timeline.js';
import { goTimeString, rfc3339China } from './timestamps.js';
import type { UcsJobDocument, UcsStatusBlock, UcsTaskDocument } from './wire-types.js';

// The JSON that GET /v1/policy/jobs/{jobid} answers, in the seed's field order
// (JSON.stringify keeps insertion order, so the order of assignments below is the wire order).

export type {
  UcsJobDocument,
  UcsObjectMeta,
  UcsStatusBlock,
  UcsTaskDocument,
} from './wire-types.js';

export type ToMicros = (epochMs: number) => number;

export interface RenderedJob {
  /** undefined while the job does not exist yet (before its createdAt). */
  document: UcsJobDocument | undefined;
  /** Epoch ms at which the rendering may change next (Infinity when it never will by itself). */
  nextChangeMs: number;
}

function statusBlock(
  timeline: readonly TimelineEntry[],
  index: number,
  epochMs: number,
  toMicros: ToMicros,
): UcsStatusBlock {
  const current = timeline[index];
  const first = timeline[0];
  // Go's omitempty: a task or job that has not started has an empty status object.
  if (current === undefined || first === undefined) return {};
  const block: UcsStatusBlock = { status: current.status };
  if (current.reason !== undefined) block.reason = current.reason;
  block.startTime = rfc3339China(toMicros(epochMs + first.atMs));
  if (isTerminal(current.status)) block.finishTime = rfc3339China(toMicros(epochMs + current.atMs));
  return block;
}

class ChangeTracker {
  next = Number.POSITIVE_INFINITY;
  latest: number;

  constructor(
    private readonly relMs: number,
    createdAtMs: number,
  ) {
    this.latest = createdAtMs;
  }

  /** Notes the entry in force and the next one; returns the index in force. */
  track(timeline: readonly TimelineEntry[]): number {
    const index = entryIndexAt(timeline, this.relMs);
    const inForce = timeline[index];
    if (inForce !== undefined) this.latest = Math.max(this.latest, inForce.atMs);
    const upcoming = timeline[index + 1];
    if (upcoming !== undefined) this.next = Math.min(this.next, upcoming.atMs);
    return index;
  }
}

function taskDocument(
  job: ModelledJob,
  task: SimTask,
  index: number,
  meta: { epochMs: number; created: string; toMicros: ToMicros },
): UcsTaskDocument {
  const latest =
    index < 0 ? job.createdAtMs : Math.max(job.createdAtMs, task.timeline[index]?.atMs ?? 0);
  return {
    kind: 'task',
    apiVersion: 'task.workflow.io/v1alpha1',
    metadata: {
      name: task.name,
      uid: task.uid,
      creationTimestamp: meta.created,
      updateTimestamp: goTimeString(meta.toMicros(meta.epochMs + latest)),
    },
    spec: {
      jobID: job.id,
      target: task.target,
      targetType: task.targetType,
      type: task.type,
      runway: task.runway,
      waitTimeOut: task.waitTimeOut,
    },
    status: statusBlock(task.timeline, index, meta.epochMs, meta.toMicros),
  };
}

/** The job as UCS would answer at `nowMs`, for a job whose timeline started at `epochMs`. */
export function renderJob(
  job: ModelledJob,
  epochMs: number,
  nowMs: number,
  toMicros: ToMicros,
): RenderedJob {
  const relMs = nowMs - epochMs;
  if (relMs < job.createdAtMs)
    return { document: undefined, nextChangeMs: epochMs + job.createdAtMs };

  const changes = new ChangeTracker(relMs, job.createdAtMs);
  const created = goTimeString(toMicros(epochMs + job.createdAtMs));
  const meta = { epochMs, created, toMicros };
  const taskList = job.tasks.map((task) =>
    taskDocument(job, task, changes.track(task.timeline), meta),
  );
  const jobIndex = changes.track(job.timeline);

  const spec: UcsJobDocument['spec'] = {
    taskList,
    domainID: job.domainID,
    operation: job.operation,
    waitTimeOut: job.waitTimeOut,
    type: job.type,
  };
  if (job.relatedObjects !== undefined) spec.relatedObjects = job.relatedObjects;
  spec.extendParam = job.extendParam;

  const document: UcsJobDocument = {
    kind: 'job',
    apiVersion: 'job.workflow.io/v1alpha1',
    metadata: {
      name: job.name,
      uid: job.id,
      creationTimestamp: created,
      updateTimestamp: goTimeString(toMicros(epochMs + changes.latest)),
    },
    spec,
    status: statusBlock(job.timeline, jobIndex, epochMs, toMicros),
  };
  return { document, nextChangeMs: epochMs + changes.next };
}

/** The job's current status, for the admin API's listing. */
export function currentStatus(
  job: ModelledJob,
  epochMs: number,
  nowMs: number,
): string | undefined {
  return job.timeline[entryIndexAt(job.timeline, nowMs - epochMs)]?.status;
}
