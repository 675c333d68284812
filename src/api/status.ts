import { z } from 'zod';
import {
  MAX_JOB_ID_LENGTH,
  MAX_JOB_IDS,
  MAX_STATUS_JSON_BYTES,
  MAX_TASKS_PER_JOB,
  PHASES,
} from './constants.js';
import { boundedMap, listMap, preserveUnknownFields } from './kube-schema.js';

/**
 * Every string is bounded, and every list and map too, so that a hostile or broken UCS answer
 * cannot bloat etcd: the operator validates with these schemas before it writes, and the CRD
 * refuses what slips through.
 */
export const MAX_STRING_LENGTH = 1024;
export const MAX_MESSAGE_LENGTH = 32768;
export const MAX_CONDITIONS = 16;
export const MAX_RELATED_OBJECTS = 64;
export const MAX_EXTEND_PARAM_FIELDS = 64;
export const MAX_EXTEND_PARAM_JSON_LENGTH = 16384;
/** Four timestamps on the job and four on each task. */
export const MAX_RAW_TIMESTAMPS = 4 * (MAX_TASKS_PER_JOB + 1);

/** metav1.Condition's patterns. */
const CONDITION_TYPE_PATTERN =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$';
export const REASON_PATTERN = '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$';

const text = (description: string, max = MAX_STRING_LENGTH) =>
  z.string().max(max).describe(description);
const count = (description: string) => z.int().min(0).describe(description);
const seconds = (description: string) => z.int().describe(description);
/** RFC 3339. The operator writes UTC ("Z"); offsets are accepted when reading. */
const timestamp = (description: string) =>
  z.iso.datetime({ offset: true }).describe(`${description} RFC 3339, UTC.`);
const phase = (description: string) => z.enum(PHASES).describe(description);

const ucsStatus = (of: 'job' | 'task') =>
  z
    .object({
      status: text(
        of === 'job'
          ? 'The job status exactly as UCS reports it: Running, TimedOut, Succeeded, Failed, or any other value UCS may add.'
          : 'The task status exactly as UCS reports it (task statuses are not documented by UCS).',
      ).optional(),
      reason: text(
        `Reason for the current status, as UCS reports it.`,
        MAX_MESSAGE_LENGTH,
      ).optional(),
      startTime: timestamp(`When the ${of} started (UCS status.startTime).`).optional(),
      finishTime: timestamp(`When the ${of} finished (UCS status.finishTime).`).optional(),
    })
    .describe(
      of === 'job'
        ? 'The UCSJobStatus of the job, as UCS reports it (timestamps normalised).'
        : 'The UCSTaskStatus of the task, as UCS reports it (timestamps normalised).',
    );

/** kind, apiVersion and metadata of a UCS job or task object, flattened into its entry. */
const ucsObjectFields = (of: 'job' | 'task', describe: { name: string; uid: string }) => ({
  kind: text(`Kind of the ${of} object in UCS, e.g. ${of}.`).optional(),
  apiVersion: text(
    `API version of the ${of} object in UCS, e.g. ${of}.workflow.io/v1alpha1.`,
  ).optional(),
  name: text(describe.name).optional(),
  uid: text(describe.uid).optional(),
  creationTimestamp: timestamp(
    `When UCS created the ${of} (metadata.creationTimestamp).`,
  ).optional(),
  updateTimestamp: timestamp(
    `When UCS last updated the ${of} (metadata.updateTimestamp).`,
  ).optional(),
});

export const TaskEntrySchema = z
  .object({
    ...ucsObjectFields('task', {
      name: 'Task name (UCS metadata.name).',
      uid: 'Task ID (UCS metadata.uid).',
    }),
    jobID: text('ID of the job the task belongs to (UCS spec.jobID).').optional(),
    target: text('What the task acts on, e.g. a cluster ID (UCS spec.target).').optional(),
    targetType: text('Type of the target, e.g. cluster (UCS spec.targetType).').optional(),
    type: text('Task type, e.g. UpdateConstraint (UCS spec.type).').optional(),
    runway: text('Execution mode: parallel or serial (UCS spec.runway).').optional(),
    waitTimeOut: seconds('Time-out of the task in seconds (UCS spec.waitTimeOut).').optional(),
    status: ucsStatus('task').optional(),
  })
  .describe('One task of the job (an entry of UCS spec.taskList).');

export const TaskSummarySchema = z
  .object({
    total: count('Number of tasks UCS reported for the job (all of them, also those not listed).'),
    succeeded: count('Tasks whose status is Succeeded.'),
    failed: count('Tasks whose status is Failed or TimedOut.'),
    running: count('Tasks whose status is Running.'),
    other: count('Tasks with any other status (task statuses are not documented by UCS).'),
  })
  .describe('Counts over all tasks of the job, also when the task list is truncated.');

export const JobErrorSchema = z
  .object({
    reason: z
      .string()
      .min(1)
      .max(MAX_STRING_LENGTH)
      .regex(new RegExp(REASON_PATTERN))
      .describe(
        'Why the fetch failed, in CamelCase: JobNotFound, Unauthorized, Forbidden, Throttled, CredentialsInvalid, EndpointNotAllowed, ...',
      ),
    message: text('What went wrong, in words.', MAX_MESSAGE_LENGTH),
    httpStatus: z
      .int()
      .min(100)
      .max(599)
      .describe('HTTP status of the UCS answer, when there was one.')
      .optional(),
    code: text('UCS error code, e.g. UCS.00000013.').optional(),
    requestID: text('X-Request-Id of the UCS answer: quote it to Huawei Cloud support.').optional(),
  })
  .describe(
    'The error of the last fetch of this job. Present only while the last fetch failed; the other fields keep the last good answer.',
  );

export const JobEntrySchema = z
  .object({
    jobID: text('The job ID from spec.jobIDs.', MAX_JOB_ID_LENGTH),
    ...ucsObjectFields('job', {
      name: 'Job name (UCS metadata.name), e.g. UpdateConstraint_2ea2e874.',
      uid: 'Job ID as UCS reports it (metadata.uid).',
    }),
    type: text('Job type, e.g. UpdateConstraint (UCS spec.type).').optional(),
    operation: text('Operation: create or retry (UCS spec.operation).').optional(),
    domainID: text(
      'Huawei Cloud account (domain) ID that owns the job (UCS spec.domainID).',
    ).optional(),
    waitTimeOut: seconds('Time-out of the job in seconds (UCS spec.waitTimeOut).').optional(),
    relatedObjects: boundedMap({
      maxKeyLength: 253,
      maxValueLength: MAX_STRING_LENGTH,
      maxProperties: MAX_RELATED_OBJECTS,
    })
      .describe(`Related objects (UCS spec.relatedObjects), at most ${MAX_RELATED_OBJECTS}.`)
      .optional(),
    extendParam: preserveUnknownFields({
      maxProperties: MAX_EXTEND_PARAM_FIELDS,
      maxJsonLength: MAX_EXTEND_PARAM_JSON_LENGTH,
    })
      .describe(
        `Extended parameters (UCS spec.extendParam), copied verbatim, e.g. {constraintID: ...}. At most ${MAX_EXTEND_PARAM_FIELDS} fields and ${MAX_EXTEND_PARAM_JSON_LENGTH} characters of JSON; the operator drops a larger value.`,
      )
      .optional(),
    status: ucsStatus('job').optional(),
    phase: phase(
      'The job in four words: Pending (not fetched yet), Running (Running, empty or unknown UCS status), Succeeded, Failed (Failed or TimedOut). status.status keeps the raw value.',
    ),
    message: text(
      'Details for humans, e.g. that a running job is past its waitTimeOut.',
      MAX_MESSAGE_LENGTH,
    ).optional(),
    taskSummary: TaskSummarySchema.optional(),
    tasks: z
      .array(TaskEntrySchema)
      .max(MAX_TASKS_PER_JOB)
      .describe(
        `The tasks of the job (UCS spec.taskList), in UCS order. The operator keeps at most --max-tasks-per-job of them (default 100, at most ${MAX_TASKS_PER_JOB}), failed and running tasks first; taskSummary counts them all.`,
      )
      .optional(),
    tasksTruncated: z
      .boolean()
      .describe('True when UCS reported more tasks than tasks lists.')
      .optional(),
    lastError: JobErrorSchema.optional(),
    rawTimestamps: boundedMap({
      maxKeyLength: 64,
      maxValueLength: 256,
      maxProperties: MAX_RAW_TIMESTAMPS,
    })
      .describe(
        'Timestamps from UCS that could not be read as a date, verbatim, by the path of their field in this entry (e.g. creationTimestamp, status.startTime, tasks[3].status.finishTime). That field is then left out. Absent when every timestamp could be read.',
      )
      .optional(),
  })
  .describe('What UCS reports for one job of spec.jobIDs.');

export const SummarySchema = z
  .object({
    total: count('Number of jobs in spec.jobIDs.'),
    succeeded: count('Jobs in phase Succeeded.'),
    failed: count('Jobs in phase Failed.'),
    running: count('Jobs in phase Running.'),
    pending: count('Jobs in phase Pending.'),
  })
  .describe('Jobs by phase.');

export const ConditionSchema = z
  .object({
    type: z
      .string()
      .max(316)
      .regex(new RegExp(CONDITION_TYPE_PATTERN))
      .describe('Type of the condition: Ready, Reconciling or Stalled.'),
    status: z.enum(['True', 'False', 'Unknown']).describe('True, False or Unknown.'),
    observedGeneration: count(
      'The metadata.generation this condition was computed from.',
    ).optional(),
    lastTransitionTime: timestamp('When the status of the condition last changed.'),
    reason: z
      .string()
      .min(1)
      .max(MAX_STRING_LENGTH)
      .regex(new RegExp(REASON_PATTERN))
      .describe(
        'Why, in one CamelCase word: JobsSucceeded, JobsRunning, Pending, FetchRetrying, JobFailed, JobTimedOut, JobNotFound, CredentialsInvalid, EndpointNotAllowed, Unauthorized, Suspended, SpecInvalid, ...',
      ),
    message: text('Details for humans.', MAX_MESSAGE_LENGTH),
  })
  .describe('A metav1.Condition.');

export const PolicyJobWatchStatusSchema = z
  .object({
    observedGeneration: count('The metadata.generation the operator last acted on.').optional(),
    phase: phase(
      'All jobs together: Failed if any job failed, else Succeeded if all succeeded, else Pending if none was fetched yet, else Running.',
    ).optional(),
    progress: z
      .string()
      .max(32)
      .regex(/^[0-9]+\/[0-9]+$/)
      .describe('Jobs succeeded / jobs, e.g. 1/2.')
      .optional(),
    summary: SummarySchema.optional(),
    conditions: listMap(z.array(ConditionSchema).max(MAX_CONDITIONS), 'type', (type) => {
      return `two conditions of type ${type}`;
    })
      .describe(
        'Ready (True once all jobs succeeded), Reconciling (True while jobs are still running) and Stalled (True when retrying will not help).',
      )
      .optional(),
    jobs: listMap(z.array(JobEntrySchema).max(MAX_JOB_IDS), 'jobID', (jobID) => {
      return `two entries for job ${jobID}`;
    })
      .describe('One entry per job of spec.jobIDs, in the same order.')
      .optional(),
    lastHandledRequestedAt: text(
      'The value of the ucs.policyjobwatch.io/requested-at annotation the operator last handled.',
    ).optional(),
    truncated: z
      .object({
        message: text('What was cut, and why, in words.'),
        tasksOmitted: count(
          'Task entries left out of jobs[].tasks to fit the budget (jobs[].taskSummary still counts them).',
        ),
        reasonsCutTo: count(
          'When set, reasons and messages were cut to this many characters as well.',
        ).optional(),
      })
      .describe(
        `Present only when the status was cut to stay under its budget of ${MAX_STATUS_JSON_BYTES} bytes of JSON (etcd refuses objects over 1.5 MiB): task entries are left out first (succeeded, then other, then running, then failed ones), then reasons are shortened. Every job and its counts are always kept.`,
      )
      .optional(),
  })
  // Run-time only: the CRD cannot bound the size of a whole object.
  .refine((status) => Buffer.byteLength(JSON.stringify(status)) <= MAX_STATUS_JSON_BYTES, {
    error: `the status must be at most ${MAX_STATUS_JSON_BYTES} bytes of JSON (etcd stores at most 1.5 MiB per object): keep fewer tasks`,
  })
  .describe('What the operator observed. Written only by the operator.');
