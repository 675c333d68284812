import type { JobSelector } from '../api/index.js';
import { sortableTime, type ListedJob, type UcsJob } from '../ucs/index.js';
import type { MappedJob } from './map-job.js';

/** A job of a list as the list cache keeps it: what selection reads, and the mapped job. */
export interface SelectableJob extends Omit<ListedJob, 'job'> {
  /** The list's own answer, mapped, when it has all the status needs (isComplete). */
  job?: MappedJob;
}

/** What matching reads of a listed job. */
export type MatchFields = Omit<ListedJob, 'job'>;

function everyPair(
  wanted: Readonly<Record<string, string>> | undefined,
  actual: Readonly<Record<string, string>> | undefined,
): boolean {
  if (wanted === undefined) return true;
  return Object.entries(wanted).every(
    ([key, value]) => actual !== undefined && Object.hasOwn(actual, key) && actual[key] === value,
  );
}

/** Whether one listed job matches the selector (kind is the list it came from). */
export function matchesSelector(job: MatchFields, selector: JobSelector): boolean {
  if (selector.type !== undefined && job.type !== selector.type) return false;
  if (selector.operation !== undefined && job.operation !== selector.operation) return false;
  if (!everyPair(selector.matchExtendParam, job.extendParam)) return false;
  if (!everyPair(selector.matchRelatedObjects, job.relatedObjects)) return false;
  if (selector.createdAfter !== undefined) {
    const after = sortableTime(selector.createdAfter);
    if (after === undefined || job.createdAt === undefined || job.createdAt <= after) return false;
  }
  return true;
}

/** What a good list answer says about one resource's selector. */
export interface Selection {
  /** The selected job IDs, newest first, at most selector.newest. */
  jobIDs: string[];
  /** The list's answers for selected jobs that carry all the status needs: used without a GET. */
  listed: Map<string, MappedJob>;
}

/** A job from the list is enough for the status when it has a status and a task list. */
export function isComplete(job: UcsJob | undefined): job is UcsJob {
  return job !== undefined && job.status?.status !== undefined && Array.isArray(job.spec?.taskList);
}

/**
 * The IDs of the newest `selector.newest` matching jobs of a list whose items are newest first
 * (what the controller watches, and what `policyjobwatch jobs list` prints).
 */
export function selectedJobIDs(items: readonly MatchFields[], selector: JobSelector): string[] {
  const jobIDs: string[] = [];
  for (const item of items) {
    if (jobIDs.length >= selector.newest) break;
    if (!matchesSelector(item, selector) || jobIDs.includes(item.id)) continue;
    jobIDs.push(item.id);
  }
  return jobIDs;
}

/** The newest `selector.newest` matching jobs of a list whose items are newest first. */
export function selectJobs(items: readonly SelectableJob[], selector: JobSelector): Selection {
  const jobIDs = selectedJobIDs(items, selector);
  const listed = new Map<string, MappedJob>();
  for (const item of items)
    if (item.job !== undefined && jobIDs.includes(item.id) && !listed.has(item.id))
      listed.set(item.id, item.job);
  return { jobIDs, listed };
}
