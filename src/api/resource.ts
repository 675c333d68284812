import { z } from 'zod';
import { API_VERSION, KIND } from './constants.js';
import { PolicyJobWatchSpecSchema } from './spec.js';
import { PolicyJobWatchStatusSchema } from './status.js';

/**
 * The whole resource, the root of the CRD schema. metadata is left to the API server (a CRD
 * may not constrain it beyond name); the TypeScript type in types.ts uses V1ObjectMeta.
 */
export const PolicyJobWatchSchema = z
  .object({
    apiVersion: z
      .string()
      .describe(`APIVersion defines the versioned schema of this object: ${API_VERSION}.`)
      .optional(),
    kind: z.string().describe(`Kind is the type of this object: ${KIND}.`).optional(),
    // The API server refuses anything else on metadata, even a description.
    metadata: z.object({}).loose().optional(),
    spec: PolicyJobWatchSpecSchema,
    status: PolicyJobWatchStatusSchema.optional(),
  })
  .describe(
    'PolicyJobWatch mirrors Huawei Cloud UCS policy jobs (GET /v1/policy/jobs/{jobID}) into its status, until each job has succeeded or failed. Wait for it with: kubectl wait --for=condition=Ready pjw/NAME',
  );
