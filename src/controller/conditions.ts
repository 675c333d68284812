import { jobOutcome } from '../ucs/index.js';
import { MAX_MESSAGE_LENGTH, type Condition, type JobEntry } from '../api/index.js';
import { isStalling } from './fetch-error.js';
import { clip } from './map-job.js';

/** The conditions of a status (kstatus: Ready, Reconciling, Stalled), from its job entries. */

/** When and for which generation conditions are made. */
export interface ConditionClock {
  generation: number;
  now: Date;
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

export function conditionsFor(
  jobs: readonly JobEntry[],
  previous: readonly Condition[] | undefined,
  suspend: boolean,
  at: ConditionClock,
): Condition[] {
  const make = (type: string, status: 'True' | 'False', reason: string, message: string) =>
    makeCondition(previous, at, type, status, reason, message);

  if (suspend) {
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
