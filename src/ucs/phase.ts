/**
 * The job's outcome from its own `status.status`, never from its tasks' (task statuses are
 * undocumented). Documented values: Running, TimedOut, Succeeded, Failed.
 *
 * Matching is case-insensitive and ignores surrounding blanks: no documented value differs
 * from another only by case, and reading "SUCCEEDED" as still running would poll a finished
 * job forever. Anything else (empty, missing, an undocumented word such as "Pending") is
 * Running: the job is not claimed finished on a value nobody documented. Callers keep the raw
 * string beside the outcome. This is the one place that decides it: the phase of a job entry,
 * its condition reason (JobTimedOut or JobFailed) and its event all come from it.
 */
export type JobOutcome = 'Running' | 'Succeeded' | 'Failed' | 'TimedOut';

const OUTCOMES: ReadonlyMap<string, JobOutcome> = new Map([
  ['running', 'Running'],
  ['succeeded', 'Succeeded'],
  ['failed', 'Failed'],
  ['timedout', 'TimedOut'],
]);

/** The documented value the raw status spells (in any case), or undefined for anything else. */
export function documentedOutcome(rawStatus: string | undefined): JobOutcome | undefined {
  if (rawStatus === undefined) return undefined;
  return OUTCOMES.get(rawStatus.trim().toLowerCase());
}

/** Succeeded, Failed and TimedOut (a failure that says why), or Running for everything else. */
export function jobOutcome(rawStatus: string | undefined): JobOutcome {
  return documentedOutcome(rawStatus) ?? 'Running';
}
