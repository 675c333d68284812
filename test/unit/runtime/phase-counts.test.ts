import { expect } from 'chai';
import type { JobEntry, Phase, PolicyJobWatch } from '../../../src/api/index.js';
import { countPhases, NO_PHASE } from '../../../src/runtime/phase-counts.js';

function resource(phase: Phase | undefined, jobPhases: Phase[] = []): PolicyJobWatch {
  const jobs: JobEntry[] = jobPhases.map((p, i) => ({ jobID: `job-${String(i)}`, phase: p }));
  return {
    apiVersion: 'ucs.policyjobwatch.io/v1alpha1',
    kind: 'PolicyJobWatch',
    metadata: { name: `r-${phase ?? 'none'}`, namespace: 'ns' },
    spec: { jobIDs: jobs.map((j) => j.jobID) },
    ...(phase === undefined ? {} : { status: { phase, jobs } }),
  };
}

const zeroJobs = { Pending: 0, Running: 0, Succeeded: 0, Failed: 0 };
const zeroResources = { ...zeroJobs, [NO_PHASE]: 0 };

describe('countPhases: policyjobwatch_jobs and policyjobwatch_resources by phase', () => {
  const cases: [string, PolicyJobWatch[], Record<string, number>, Record<string, number>][] = [
    ['nothing watched: every phase at 0', [], zeroJobs, zeroResources],
    [
      'a resource without a status yet is Unknown, and has no jobs counted',
      [resource(undefined)],
      zeroJobs,
      { ...zeroResources, [NO_PHASE]: 1 },
    ],
    [
      'resources by status.phase, jobs by their own phase',
      [
        resource('Failed', ['Failed', 'Succeeded', 'Running']),
        resource('Running', ['Running', 'Pending']),
        resource('Succeeded', ['Succeeded']),
        resource('Succeeded', ['Succeeded', 'Succeeded']),
      ],
      { Pending: 1, Running: 2, Succeeded: 4, Failed: 1 },
      { ...zeroResources, Failed: 1, Running: 1, Succeeded: 2 },
    ],
  ];
  for (const [name, resources, jobs, byPhase] of cases) {
    it(name, () => {
      const counts = countPhases(resources);
      expect(Object.fromEntries(counts.jobs)).to.deep.equal(jobs);
      expect(Object.fromEntries(counts.resources)).to.deep.equal(byPhase);
    });
  }
});
