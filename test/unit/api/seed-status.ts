import type { JobEntry, PolicyJobWatchStatus } from '../../../src/api/index.js';

/**
 * The example 200 answer of GET /v1/policy/jobs/{jobid}, verbatim from the API reference page
 * (/work/shared/seeds/000_b9bb37d79de8b8ac.txt).
 */
export const SEED_JOB = {
  kind: 'job',
  apiVersion: 'job.workflow.io/v1alpha1',
  metadata: {
    name: 'UpdateConstraint_2ea2e874',
    uid: 'c7678551-1f7e-4699-9ea1-3baa2d32f552',
    creationTimestamp: '2025-11-10 07:24:03.529155 +0000 UTC',
    updateTimestamp: '2025-11-10 07:24:08.526889 +0000 UTC',
  },
  spec: {
    taskList: [
      {
        kind: 'task',
        apiVersion: 'task.workflow.io/v1alpha1',
        metadata: {
          name: 'be72df63-7dfa-426d-acc9-6c426c4e979c',
          uid: 'b387d7e9-b99f-4914-acf6-cd666b7473aa',
          creationTimestamp: '2025-11-10 07:24:03.536701 +0000 UTC',
          updateTimestamp: '2025-11-10 07:24:08.513561 +0000 UTC',
        },
        spec: {
          jobID: 'c7678551-1f7e-4699-9ea1-3baa2d32f552',
          target: 'be72df63-7dfa-426d-acc9-6c426c4e979c',
          targetType: 'cluster',
          type: 'UpdateConstraint',
          runway: 'parallel',
          waitTimeOut: 3600,
        },
        status: {
          status: 'Succeeded',
          startTime: '2025-11-10T15:24:03.553733+08:00',
          finishTime: '2025-11-10T15:24:04.689462+08:00',
        },
      },
    ],
    domainID: '05495693d180d3c90f9ec0171879f760',
    operation: 'create',
    waitTimeOut: 3600,
    type: 'UpdateConstraint',
    extendParam: { constraintID: 'eb6e4196-1508-49d3-98a5-ee656d146c4f' },
  },
  status: {
    status: 'Succeeded',
    startTime: '2025-11-10T15:24:03.540316+08:00',
    finishTime: '2025-11-10T15:24:08.524767+08:00',
  },
};

export const SEED_JOB_ID = SEED_JOB.metadata.uid;

/** SEED_JOB as a status entry, mapped by hand: timestamps in UTC, microseconds kept. */
export const SEED_JOB_ENTRY: JobEntry = {
  jobID: SEED_JOB_ID,
  kind: 'job',
  apiVersion: 'job.workflow.io/v1alpha1',
  name: 'UpdateConstraint_2ea2e874',
  uid: 'c7678551-1f7e-4699-9ea1-3baa2d32f552',
  creationTimestamp: '2025-11-10T07:24:03.529155Z',
  updateTimestamp: '2025-11-10T07:24:08.526889Z',
  type: 'UpdateConstraint',
  operation: 'create',
  domainID: '05495693d180d3c90f9ec0171879f760',
  waitTimeOut: 3600,
  extendParam: { constraintID: 'eb6e4196-1508-49d3-98a5-ee656d146c4f' },
  status: {
    status: 'Succeeded',
    startTime: '2025-11-10T07:24:03.540316Z',
    finishTime: '2025-11-10T07:24:08.524767Z',
  },
  phase: 'Succeeded',
  taskSummary: { total: 1, succeeded: 1, failed: 0, running: 0, other: 0 },
  tasks: [
    {
      kind: 'task',
      apiVersion: 'task.workflow.io/v1alpha1',
      name: 'be72df63-7dfa-426d-acc9-6c426c4e979c',
      uid: 'b387d7e9-b99f-4914-acf6-cd666b7473aa',
      creationTimestamp: '2025-11-10T07:24:03.536701Z',
      updateTimestamp: '2025-11-10T07:24:08.513561Z',
      jobID: 'c7678551-1f7e-4699-9ea1-3baa2d32f552',
      target: 'be72df63-7dfa-426d-acc9-6c426c4e979c',
      targetType: 'cluster',
      type: 'UpdateConstraint',
      runway: 'parallel',
      waitTimeOut: 3600,
      status: {
        status: 'Succeeded',
        startTime: '2025-11-10T07:24:03.553733Z',
        finishTime: '2025-11-10T07:24:04.689462Z',
      },
    },
  ],
  tasksTruncated: false,
};

/** A second job that is still running and whose last fetch failed. */
export const FAILING_JOB_ENTRY: JobEntry = {
  jobID: 'a1b2c3d4-0000-4000-8000-000000000002',
  phase: 'Running',
  status: { status: 'Running', reason: '', startTime: '2025-11-10T07:24:05Z' },
  message: 'overdue: still Running after its waitTimeOut of 3600s (started 2025-11-10T07:24:05Z)',
  relatedObjects: { policyInstance: 'pi-1' },
  rawTimestamps: { creationTimestamp: 'yesterday-ish' },
  lastError: {
    reason: 'JobNotFound',
    httpStatus: 404,
    code: 'UCS.00000013',
    message: 'No requested resources found.',
    requestID: '0c8d6a5e-1f7e-4699-9ea1-3baa2d32f552',
  },
};

/** A whole status as the operator would write it for the two jobs above. */
export function seedStatus(generation = 1): PolicyJobWatchStatus {
  return {
    observedGeneration: generation,
    phase: 'Running',
    progress: '1/2',
    summary: { total: 2, succeeded: 1, failed: 0, running: 1, pending: 0 },
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        observedGeneration: generation,
        lastTransitionTime: '2025-11-10T07:24:30Z',
        reason: 'FetchRetrying',
        message: `1/2 jobs succeeded; job ${FAILING_JOB_ENTRY.jobID}: JobNotFound: No requested resources found.`,
      },
      {
        type: 'Reconciling',
        status: 'True',
        observedGeneration: generation,
        lastTransitionTime: '2025-11-10T07:24:30Z',
        reason: 'FetchRetrying',
        message: '1/2 jobs succeeded',
      },
    ],
    jobs: [SEED_JOB_ENTRY, FAILING_JOB_ENTRY],
    lastHandledRequestedAt: '2025-11-10T07:24:29Z',
  };
}
