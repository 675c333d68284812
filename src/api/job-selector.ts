import { z } from 'zod';
import { MAX_JOB_IDS } from './constants.js';
import { boundedMap } from './kube-schema.js';

/** UCS's own default of GET /v1/policy/jobs?kind= (the only documented value). */
export const DEFAULT_SELECTOR_KIND = 'EnablePolicy';
export const MAX_SELECTOR_KIND_LENGTH = 128;
export const MAX_SELECTOR_MATCH_ENTRIES = 16;
export const MAX_SELECTOR_MATCH_VALUE_LENGTH = 1024;

const matchMap = (field: string, what: string) =>
  boundedMap({
    maxKeyLength: 253,
    maxValueLength: MAX_SELECTOR_MATCH_VALUE_LENGTH,
    maxProperties: MAX_SELECTOR_MATCH_ENTRIES,
  }).describe(
    `Every pair must match the job's spec.${field} (${what}). At most ${MAX_SELECTOR_MATCH_ENTRIES} pairs.`,
  );

export const JobSelectorSchema = z
  .object({
    kind: z
      .string()
      .min(1, 'spec.jobSelector.kind must not be empty')
      .max(
        MAX_SELECTOR_KIND_LENGTH,
        `spec.jobSelector.kind must be at most ${MAX_SELECTOR_KIND_LENGTH} characters`,
      )
      .default(DEFAULT_SELECTOR_KIND)
      .describe(
        `Which UCS job list to read: GET /v1/policy/jobs?kind=KIND ("Obtaining the Policy Instance Job List"). UCS documents only its own default, ${DEFAULT_SELECTOR_KIND}; any other value (e.g. a job type such as UpdateConstraint) is sent as it is, and what UCS lists for it is not documented. Default: ${DEFAULT_SELECTOR_KIND}.`,
      ),
    type: z
      .string()
      .max(1024)
      .describe('Only jobs whose spec.type is exactly this, e.g. UpdateConstraint.')
      .optional(),
    operation: z
      .string()
      .max(1024)
      .describe('Only jobs whose spec.operation is exactly this: create or retry.')
      .optional(),
    matchExtendParam: matchMap(
      'extendParam',
      'e.g. constraintID: <policy instance ID>; a value UCS sends as a number, boolean, null, object or array matches its compact JSON text: 3 matches "3", true matches "true"',
    ).optional(),
    matchRelatedObjects: matchMap('relatedObjects', 'exact string equality').optional(),
    createdAfter: z.iso
      .datetime({ offset: true })
      .describe(
        'Only jobs created after this time (metadata.creationTimestamp), RFC 3339. A job whose creation time cannot be read never matches.',
      )
      .optional(),
    newest: z
      .int()
      .min(1, 'spec.jobSelector.newest must be at least 1')
      .max(MAX_JOB_IDS, `spec.jobSelector.newest must be at most ${MAX_JOB_IDS}`)
      .default(1)
      .describe(
        `How many of the matching jobs to watch, newest first (by metadata.creationTimestamp): 1 to ${MAX_JOB_IDS}. Default 1, "the latest rollout". When a newer job matches, the resource follows it and the oldest drops out.`,
      ),
  })
  .describe(
    'Watch the newest UCS jobs that match, instead of naming job IDs: for GitOps, where a job ID exists only after the write call that starts it. The operator lists the jobs of `kind` once per poll interval, shared by every resource selecting on it; status.selectedJobIDs names the jobs watched. Exactly one of jobIDs and jobSelector.',
  );
