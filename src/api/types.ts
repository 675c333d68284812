import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { z } from 'zod';
import type { JobSelectorSchema } from './job-selector.js';
import type { PolicyJobWatchSpecSchema } from './spec.js';
import type {
  ConditionSchema,
  JobEntrySchema,
  JobErrorSchema,
  PolicyJobWatchStatusSchema,
  SummarySchema,
  TaskEntrySchema,
  TaskSummarySchema,
} from './status.js';

export type PolicyJobWatchSpec = z.output<typeof PolicyJobWatchSpecSchema>;
export type JobSelector = z.output<typeof JobSelectorSchema>;
export type PolicyJobWatchStatus = z.output<typeof PolicyJobWatchStatusSchema>;
export type JobEntry = z.output<typeof JobEntrySchema>;
export type TaskEntry = z.output<typeof TaskEntrySchema>;
export type TaskSummary = z.output<typeof TaskSummarySchema>;
export type JobSummary = z.output<typeof SummarySchema>;
export type JobError = z.output<typeof JobErrorSchema>;
export type Condition = z.output<typeof ConditionSchema>;
/** UCSJobStatus / UCSTaskStatus as mirrored (status, reason, startTime, finishTime). */
export type UcsStatus = NonNullable<JobEntry['status']>;

/** A PolicyJobWatch as the API server returns it. */
export interface PolicyJobWatch {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta;
  spec: PolicyJobWatchSpec;
  status?: PolicyJobWatchStatus;
}
