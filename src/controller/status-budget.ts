import {
  MAX_MESSAGE_LENGTH,
  MAX_STATUS_JSON_BYTES,
  type JobEntry,
  type PolicyJobWatchStatus,
  type TaskEntry,
} from '../api/index.js';
import { clip, KEEP_ORDER, taskBucket, type TaskBucket } from './map-job.js';
import { withoutKey } from './plain-objects.js';

/** Reasons and messages are never cut shorter than this. */
export const MIN_REASON_LENGTH = 64;

export function statusBytes(status: PolicyJobWatchStatus): number {
  return Buffer.byteLength(JSON.stringify(status));
}

type Truncation = NonNullable<PolicyJobWatchStatus['truncated']>;

/** How the left-out task entries were chosen, in every `truncated` note. */
const SHED_ORDER = '(succeeded first, failed last; taskSummary counts them all)';

/** The `truncated` note: `parts` of its message, then the cut reasons if any. */
function truncationNote(
  parts: readonly string[],
  tasksOmitted: number,
  reasonsCutTo: number | undefined,
): Truncation {
  const message =
    reasonsCutTo === undefined
      ? parts
      : [...parts, `reasons and messages cut to ${reasonsCutTo} characters`];
  return {
    message: message.join('; '),
    tasksOmitted,
    ...(reasonsCutTo === undefined ? {} : { reasonsCutTo }),
  };
}

/**
 * What an earlier cut still leaves out of a status about to be computed. Entries kept from the
 * previous status (jobs not fetched this time: terminal, suspended, not due, or failing) keep
 * the tasks that status's budget left them, so its `truncated` note still holds for them: a
 * status that now fits must still say that tasks are missing, and how many. `kept` are those
 * entries, `maxTasks` the tasks a job may keep without a budget (tasksPerJob). The previous
 * note itself when the count is unchanged (nothing to write), undefined when the previous
 * status was not cut or no kept entry is short of tasks or reasons.
 */
export function carriedTruncation(
  previous: PolicyJobWatchStatus | undefined,
  kept: readonly JobEntry[],
  maxTasks: number,
): Truncation | undefined {
  const note = previous?.truncated;
  if (note === undefined || kept.length === 0) return undefined;
  const tasksOmitted = kept.reduce(
    (n, j) =>
      n + Math.max(0, Math.min(j.taskSummary?.total ?? 0, maxTasks) - (j.tasks?.length ?? 0)),
    0,
  );
  if (tasksOmitted === note.tasksOmitted) return note;
  if (tasksOmitted === 0 && note.reasonsCutTo === undefined) return undefined;
  return truncationNote(
    [
      `${tasksOmitted} task entries of jobs not fetched again are still left out from when the status went over its budget ${SHED_ORDER}`,
    ],
    tasksOmitted,
    note.reasonsCutTo,
  );
}

/**
 * The status within `maxBytes` of JSON (default MAX_STATUS_JSON_BYTES): task entries are shed
 * first (succeeded, then other, then running, then failed ones; always from the job that has
 * the most left, last in API order first), then reasons and messages are shortened. Counts
 * (taskSummary, summary) are never touched; `truncated` says what was cut, counting what an
 * earlier cut left out of entries kept since (the input's `truncated`, carriedTruncation).
 * Pure: the input is not changed. A status that fits is returned as it is.
 */
export function fitStatus(
  status: PolicyJobWatchStatus,
  maxBytes: number = MAX_STATUS_JSON_BYTES,
): PolicyJobWatchStatus {
  const carried = status.truncated;
  if (carried !== undefined && statusBytes(status) <= maxBytes) return status;
  // Not a copy with `delete`: the written status is what the informer's cache holds.
  const untruncated = withoutKey(status, 'truncated');
  const before = statusBytes(untruncated);
  if (carried === undefined && before <= maxBytes) return untruncated;
  const earlier = carried?.tasksOmitted ?? 0;
  // Room for the truncated note itself.
  const budget = maxBytes - 1024;
  const jobs: JobEntry[] = (status.jobs ?? []).map((j) => ({ ...j }));
  const { tasks, omitted } = shedTasks(jobs, before - budget);
  const shed = (limit: number | undefined): PolicyJobWatchStatus => {
    const cut = (text: string | undefined) => (limit === undefined ? text : clip(text, limit));
    const out: PolicyJobWatchStatus = {
      ...untruncated,
      jobs: jobs.map((j, i) => {
        const entry: JobEntry = { ...j, tasks: (tasks[i] ?? []).map((t) => cutTask(t, cut)) };
        if (entry.tasks && entry.tasks.length < (entry.taskSummary?.total ?? 0))
          entry.tasksTruncated = true;
        if (entry.status?.reason !== undefined)
          entry.status = { ...entry.status, reason: cut(entry.status.reason) ?? '' };
        if (entry.message !== undefined) entry.message = cut(entry.message) ?? '';
        if (entry.lastError)
          entry.lastError = { ...entry.lastError, message: cut(entry.lastError.message) ?? '' };
        return entry;
      }),
    };
    if (status.conditions)
      out.conditions = status.conditions.map((c) => ({ ...c, message: cut(c.message) ?? '' }));
    out.truncated = truncationNote(
      [
        `the status was ${before} bytes of JSON, over its budget of ${maxBytes}`,
        `${omitted + earlier} task entries left out ${SHED_ORDER}`,
      ],
      omitted + earlier,
      limit,
    );
    return out;
  };
  let result = shed(undefined);
  for (let limit = MAX_MESSAGE_LENGTH / 2; statusBytes(result) > maxBytes; limit /= 2) {
    result = shed(Math.max(limit, MIN_REASON_LENGTH));
    if (limit <= MIN_REASON_LENGTH) break;
  }
  return result;
}

/**
 * Removes task entries until at least `excess` bytes of JSON are gone: bucket by bucket in
 * reverse KEEP_ORDER, each time the last task of that bucket from the job with the most tasks
 * left (the later job on a tie). Each job's tasks are indexed by bucket once, so a removal costs
 * a pass over the jobs, not over their tasks: 100 jobs x 1,000 tasks is milliseconds, not seconds.
 */
function shedTasks(
  jobs: readonly JobEntry[],
  excess: number,
): { tasks: TaskEntry[][]; omitted: number } {
  const all = jobs.map((j) => j.tasks ?? []);
  const left = all.map((list) => list.length);
  const removed = all.map((list) => new Uint8Array(list.length));
  // byBucket[i][bucket]: the indices of job i's tasks in that bucket, in API order.
  const byBucket = all.map((list) => {
    const index = new Map<TaskBucket, number[]>();
    list.forEach((t, at) => {
      const bucket = taskBucket(t.status?.status);
      const found = index.get(bucket);
      if (found) found.push(at);
      else index.set(bucket, [at]);
    });
    return index;
  });
  let toShed = excess;
  let omitted = 0;
  for (const bucket of [...KEEP_ORDER].reverse()) {
    while (toShed > 0) {
      let pick = -1;
      for (let i = 0; i < all.length; i++) {
        if (!byBucket[i]?.get(bucket)?.length) continue;
        if (pick < 0 || (left[i] ?? 0) >= (left[pick] ?? 0)) pick = i;
      }
      if (pick < 0) break;
      const at = byBucket[pick]?.get(bucket)?.pop() ?? 0;
      (removed[pick] as Uint8Array)[at] = 1;
      const remaining = (left[pick] = (left[pick] ?? 1) - 1);
      toShed -= Buffer.byteLength(JSON.stringify(all[pick]?.[at])) + (remaining > 0 ? 1 : 0);
      omitted += 1;
    }
  }
  const tasks = all.map((list, i) => list.filter((_, at) => removed[i]?.[at] !== 1));
  return { tasks, omitted };
}

function cutTask(
  task: TaskEntry,
  cut: (text: string | undefined) => string | undefined,
): TaskEntry {
  if (task.status?.reason === undefined) return task;
  return { ...task, status: { ...task.status, reason: cut(task.status.reason) ?? '' } };
}
