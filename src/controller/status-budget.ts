import {
  MAX_MESSAGE_LENGTH,
  MAX_STATUS_JSON_BYTES,
  type JobEntry,
  type PolicyJobWatchStatus,
  type TaskEntry,
} from '../api/index.js';
import { clip, KEEP_ORDER, taskBucket } from './map-job.js';

/** Reasons and messages are never cut shorter than this. */
export const MIN_REASON_LENGTH = 64;

export function statusBytes(status: PolicyJobWatchStatus): number {
  return Buffer.byteLength(JSON.stringify(status));
}

/**
 * The status within `maxBytes` of JSON (default MAX_STATUS_JSON_BYTES): task entries are shed
 * first (succeeded, then other, then running, then failed ones; always from the job that has
 * the most left, last in API order first), then reasons and messages are shortened. Counts
 * (taskSummary, summary) are never touched; `truncated` says what was cut. Pure: the input is
 * not changed. A status that fits is returned as it is.
 */
export function fitStatus(
  status: PolicyJobWatchStatus,
  maxBytes: number = MAX_STATUS_JSON_BYTES,
): PolicyJobWatchStatus {
  const untruncated = { ...status };
  delete untruncated.truncated;
  const before = statusBytes(untruncated);
  if (before <= maxBytes) return untruncated;
  // Room for the truncated note itself.
  const budget = maxBytes - 1024;
  const jobs: JobEntry[] = (status.jobs ?? []).map((j) => ({ ...j }));
  const tasks: TaskEntry[][] = jobs.map((j) => [...(j.tasks ?? [])]);
  let size = before;
  let omitted = 0;
  for (const bucket of [...KEEP_ORDER].reverse()) {
    for (;;) {
      if (size <= budget) break;
      let pick = -1;
      for (let i = 0; i < tasks.length; i++) {
        const list = tasks[i] ?? [];
        if (!list.some((t) => taskBucket(t.status?.status) === bucket)) continue;
        if (pick < 0 || list.length >= (tasks[pick]?.length ?? 0)) pick = i;
      }
      if (pick < 0) break;
      const list = tasks[pick] ?? [];
      const at = list.findLastIndex((t) => taskBucket(t.status?.status) === bucket);
      const [removed] = list.splice(at, 1);
      size -= Buffer.byteLength(JSON.stringify(removed)) + (list.length > 0 ? 1 : 0);
      omitted += 1;
    }
  }
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
    const parts = [
      `the status was ${before} bytes of JSON, over its budget of ${maxBytes}`,
      `${omitted} task entries left out (succeeded first, failed last; taskSummary counts them all)`,
    ];
    if (limit !== undefined) parts.push(`reasons and messages cut to ${limit} characters`);
    out.truncated = {
      message: parts.join('; '),
      tasksOmitted: omitted,
      ...(limit === undefined ? {} : { reasonsCutTo: limit }),
    };
    return out;
  };
  let result = shed(undefined);
  for (let limit = MAX_MESSAGE_LENGTH / 2; statusBytes(result) > maxBytes; limit /= 2) {
    result = shed(Math.max(limit, MIN_REASON_LENGTH));
    if (limit <= MIN_REASON_LENGTH) break;
  }
  return result;
}

function cutTask(
  task: TaskEntry,
  cut: (text: string | undefined) => string | undefined,
): TaskEntry {
  if (task.status?.reason === undefined) return task;
  return { ...task, status: { ...task.status, reason: cut(task.status.reason) ?? '' } };
}
