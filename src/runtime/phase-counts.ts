import { PHASES, type PolicyJobWatch } from '../api/index.js';

/** The phase label of a resource the operator has not written a status.phase for yet. */
export const NO_PHASE = 'Unknown';

export interface PhaseCounts {
  /** policyjobwatch_jobs{phase}: the jobs of every resource, by status.jobs[].phase. */
  jobs: Map<string, number>;
  /** policyjobwatch_resources{phase}: the resources, by status.phase (NO_PHASE without one). */
  resources: Map<string, number>;
}

/**
 * Jobs and resources by phase, as the gauges show them: every phase is present, 0 when nothing
 * is in it, so that a phase that empties drops to 0 instead of keeping its last value.
 */
export function countPhases(resources: Iterable<PolicyJobWatch>): PhaseCounts {
  const jobs = new Map<string, number>(PHASES.map((p) => [p, 0]));
  const byPhase = new Map<string, number>([...PHASES, NO_PHASE].map((p) => [p, 0]));
  const add = (counts: Map<string, number>, phase: string): void => {
    counts.set(phase, (counts.get(phase) ?? 0) + 1);
  };
  for (const resource of resources) {
    add(byPhase, resource.status?.phase ?? NO_PHASE);
    for (const job of resource.status?.jobs ?? []) add(jobs, job.phase);
  }
  return { jobs, resources: byPhase };
}
