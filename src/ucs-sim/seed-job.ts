import type { UcsJobDocument } from './wire-types.js';

export { SEED_JOB_ID } from './seed-job-id.js';

/**
 * The example 200 response of "Obtaining the Job Related to a Specific Policy Instance"
 * (`GET /v1/policy/jobs/{jobid}`), copied field for field and in the same order: the
 * simulator must serve exactly what the documentation shows.
 */
export const SEED_JOB: UcsJobDocument = {
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
    extendParam: {
      constraintID: 'eb6e4196-1508-49d3-98a5-ee656d146c4f',
    },
  },
  status: {
    status: 'Succeeded',
    startTime: '2025-11-10T15:24:03.540316+08:00',
    finishTime: '2025-11-10T15:24:08.524767+08:00',
  },
};
