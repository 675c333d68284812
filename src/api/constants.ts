/** Names of the PolicyJobWatch API: one place, so the CRD, the operator and the tests agree. */

export const GROUP = 'ucs.policyjobwatch.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'PolicyJobWatch';
export const LIST_KIND = 'PolicyJobWatchList';
export const PLURAL = 'policyjobwatches';
export const SINGULAR = 'policyjobwatch';
export const SHORT_NAMES: readonly string[] = ['pjw'];
export const CATEGORIES: readonly string[] = ['ucs'];
/** metadata.name of the CustomResourceDefinition. */
export const CRD_NAME = `${PLURAL}.${GROUP}`;

/**
 * Setting this annotation to a new value (e.g. `date -Is`) asks for an immediate poll; the
 * operator echoes the handled value into status.lastHandledRequestedAt.
 */
export const REQUESTED_AT_ANNOTATION = `${GROUP}/requested-at`;

/** Limits of the spec, enforced by the CRD and by parsePolicyJobWatchSpec. */
export const MAX_JOB_IDS = 100;
export const MAX_JOB_ID_LENGTH = 128;
export const POLL_INTERVAL_MIN = '5s';
export const POLL_INTERVAL_MAX = '1h';
export const DEFAULT_POLL_INTERVAL = '30s';

/** The operator keeps --max-tasks-per-job tasks per job (default 100); the CRD caps it here. */
export const DEFAULT_MAX_TASKS_PER_JOB = 100;
export const MAX_TASKS_PER_JOB = 1000;

/**
 * etcd refuses an object over 1.5 MiB ("etcdserver: request is too large") and the API server
 * a request over 3 MiB; a seed-shaped task takes about 550 bytes of JSON, so 100 jobs of 100
 * tasks (5.5 MB) cannot be stored. parsePolicyJobWatchStatus refuses a status whose JSON is
 * larger than this, leaving room for spec and metadata: trim tasks to fit.
 *
 * Why 1,000,000 (64% of etcd's 1,572,864): etcd stores the whole object, so the rest must fit
 * beside it: metadata.annotations up to 256 KiB (the apiserver's limit), the spec (100 job IDs
 * of 128 characters, about 15 KB) and managedFields (the status fields owned, a few hundred
 * bytes per job). The operator's write path (fitStatus) keeps every status under it.
 */
export const MAX_STATUS_JSON_BYTES = 1_000_000;

export const ConditionType = {
  /** True once every job succeeded; False with the reason otherwise. */
  Ready: 'Ready',
  /** True while the operator is still polling jobs that are not finished. */
  Reconciling: 'Reconciling',
  /** True when retrying will not help until something changes (a job failed, 404, 401 ...). */
  Stalled: 'Stalled',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** Condition reasons (CamelCase, as metav1.Condition requires). */
export const Reason = {
  JobsSucceeded: 'JobsSucceeded',
  JobsRunning: 'JobsRunning',
  Pending: 'Pending',
  FetchRetrying: 'FetchRetrying',
  FetchFailed: 'FetchFailed',
  JobFailed: 'JobFailed',
  JobTimedOut: 'JobTimedOut',
  JobNotFound: 'JobNotFound',
  InvalidRequest: 'InvalidRequest',
  CredentialsNotFound: 'CredentialsNotFound',
  CredentialsInvalid: 'CredentialsInvalid',
  EndpointNotAllowed: 'EndpointNotAllowed',
  Unauthorized: 'Unauthorized',
  Forbidden: 'Forbidden',
  Throttled: 'Throttled',
  Suspended: 'Suspended',
  SpecInvalid: 'SpecInvalid',
  StatusTooLarge: 'StatusTooLarge',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** Phases of one job and of the whole resource. */
export const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed'] as const;
export type Phase = (typeof PHASES)[number];
