/** The job ID of the API page's example response, served when no scenario is given. */
export const SEED_JOB_ID = 'c7678551-1f7e-4699-9ea1-3baa2d32f552';
