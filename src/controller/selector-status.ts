import type { JobSelector, PolicyJobWatchStatus } from '../api/index.js';
import { makeCondition } from './conditions.js';
import { isStalling, type FetchError } from './fetch-error.js';

/** What a spec.jobSelector adds to a status (computeStatus made it for the selected jobs). */
export interface SelectorStatusInput {
  selector: JobSelector;
  /** The jobs the status now shows (status.jobs was computed for exactly these). */
  selectedJobIDs: readonly string[];
  /** Why the list could not be read this time, if it could not. */
  listError?: FetchError;
  suspend: boolean;
  previous: PolicyJobWatchStatus | undefined;
  generation: number;
  now: Date;
}

/**
 * A selector resource's status: status.selectedJobIDs added, and when no job is selected (none
 * matches, or the list failed before anything was selected), conditions that say so instead of
 * computeStatus's "all 0 jobs succeeded": reason NoJobSelected, or the list's error.
 */
export function selectorStatus(
  status: PolicyJobWatchStatus,
  input: SelectorStatusInput,
): PolicyJobWatchStatus {
  const out: PolicyJobWatchStatus = { ...status, selectedJobIDs: [...input.selectedJobIDs] };
  if (input.selectedJobIDs.length > 0) return out;
  out.phase = 'Pending';
  if (input.suspend) return out;
  const error = input.listError;
  const reason = error?.reason ?? 'NoJobSelected';
  const message =
    error === undefined
      ? `no UCS job of kind ${input.selector.kind} matches spec.jobSelector yet`
      : `listing the UCS jobs of kind ${input.selector.kind}: ${error.message}`;
  const second = error !== undefined && isStalling(error.reason) ? 'Stalled' : 'Reconciling';
  const at = { generation: input.generation, now: input.now };
  out.conditions = [
    makeCondition(input.previous?.conditions, at, 'Ready', 'False', reason, message),
    makeCondition(input.previous?.conditions, at, second, 'True', reason, message),
  ];
  return out;
}
