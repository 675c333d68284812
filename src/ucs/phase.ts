/**
 * The job's outcome from its own `status.status`, never from its tasks' (task statuses are
 * undocumented). Documented values: Running, TimedOut, Succeeded, Failed.
 *
 * Matching is case-insensitive and ignores surrounding blanks: no documented value differs
 * from another only by case, and reading "SUCCEEDED" as still running would poll a finished
 * job forever. Anything else (empty, missing, an undocumented word such as "Pending") is
 * Running: the job is not claimed finished on a value nobody documented. Callers keep the raw
 * string beside the outcome.
 */
export type JobOutcome = 'Running' | 'Succeeded' | 'Failed' | 'TimedOut';
export type JobPhase = 'Running' | 'Succeeded' | 'Failed';

const OUTCOMES: ReadonlyMap<string, JobOutcome> = new Map([
  ['running', 'Running'],
  ['succeeded', 'Succeeded'],
  ['failed', 'Failed'],
  ['timedout', 'TimedOut'],
]);

/** Succeeded, Failed and TimedOut (a failure that says why), or Running for everything else. */
export function jobOutcome(rawStatus: string | undefined): JobOutcome {
  if (rawStatus === undefined) return 'Running';
  return OUTCOMES.get(rawStatus.trim().toLowerCase()) ?? 'Running';
}

/** Three phases: TimedOut counts as Failed. */
export function jobPhase(rawStatus: string | undefined): JobPhase {
  const outcome = jobOutcome(rawStatus);
  return outcome === 'TimedOut' ? 'Failed' : outcome;
}

/** Whether the job will not change any more (Succeeded, Failed or TimedOut). */
export function isFinished(outcome: JobOutcome): boolean {
  return outcome !== 'Running';
}
