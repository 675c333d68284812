import type { JobEntry, PolicyJobWatchStatus } from '../api/index.js';
import { failureReason } from './conditions.js';

export interface TransitionEvent {
  type: 'Normal' | 'Warning';
  reason: 'JobRunning' | 'JobSucceeded' | 'JobFailed' | 'JobTimedOut' | 'FetchFailed';
  message: string;
}

/**
 * Events for what changed between two statuses: a job entering Running, Succeeded, Failed or
 * TimedOut, or a new fetch error. Derived from the status diff, so a poll that changes nothing
 * (or a restart of the operator) emits nothing.
 */
export function transitionEvents(
  before: PolicyJobWatchStatus | undefined,
  after: PolicyJobWatchStatus,
): TransitionEvent[] {
  const previous = new Map((before?.jobs ?? []).map((j) => [j.jobID, j]));
  const events: TransitionEvent[] = [];
  for (const job of after.jobs ?? []) {
    const old = previous.get(job.jobID);
    const phaseEvent = phaseTransition(old, job);
    if (phaseEvent) events.push(phaseEvent);
    const error = job.lastError;
    if (error && (old?.lastError?.reason !== error.reason || old.lastError.code !== error.code)) {
      events.push({
        type: 'Warning',
        reason: 'FetchFailed',
        message: `job ${job.jobID}: ${error.reason}: ${error.message}`,
      });
    }
  }
  return events;
}

function phaseTransition(old: JobEntry | undefined, job: JobEntry): TransitionEvent | undefined {
  const rawBefore = old?.status?.status;
  const rawAfter = job.status?.status;
  if (old?.phase === job.phase && rawBefore === rawAfter) return undefined;
  switch (job.phase) {
    case 'Running':
      if (old?.phase === 'Running') return undefined;
      return { type: 'Normal', reason: 'JobRunning', message: `job ${job.jobID} is running` };
    case 'Succeeded':
      return {
        type: 'Normal',
        reason: 'JobSucceeded',
        message: `job ${job.jobID} succeeded${taskCount(job)}`,
      };
    case 'Failed': {
      const timedOut = failureReason(job) === 'JobTimedOut';
      const why = job.status?.reason ? `: ${job.status.reason}` : '';
      return {
        type: 'Warning',
        reason: timedOut ? 'JobTimedOut' : 'JobFailed',
        message: `job ${job.jobID} ${timedOut ? 'timed out' : 'failed'}${why}${taskCount(job)}`,
      };
    }
    default:
      return undefined;
  }
}

function taskCount(job: JobEntry): string {
  const s = job.taskSummary;
  if (!s || s.total === 0) return '';
  return ` (${s.succeeded}/${s.total} tasks succeeded, ${s.failed} failed)`;
}
