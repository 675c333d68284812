import type { JobEntry, PolicyJobWatchStatus } from '../api/index.js';
import { makeCondition } from './conditions.js';
import { clip } from './map-job.js';

/** Statuses written instead of the computed one: for an invalid spec, and when it is refused as too large. */

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
