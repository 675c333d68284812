import { expect } from 'chai';
import type { PolicyJobWatchStatus } from '../../../src/api/index.js';
import { parsePolicyJobWatchStatus } from '../../../src/api/index.js';
import { minimalStatus } from '../../../src/controller/fallback-status.js';

const NOW = new Date('2026-01-01T00:00:10Z');

const selected: PolicyJobWatchStatus = {
  observedGeneration: 3,
  phase: 'Running',
  progress: '1/2',
  conditions: [
    {
      type: 'Ready',
      status: 'False',
      reason: 'JobsRunning',
      message: 'job-new is Running',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    },
  ],
  jobs: [
    {
      jobID: 'job-new',
      phase: 'Running',
      status: { status: 'Running', reason: 'r'.repeat(2000) },
      taskSummary: { total: 1, succeeded: 0, failed: 0, running: 1, other: 0 },
      tasks: [{ name: 't0', status: { status: 'Running' } }],
    },
    { jobID: 'job-old', phase: 'Succeeded', status: { status: 'Succeeded' } },
  ],
  selectedJobIDs: ['job-new', 'job-old'],
};

describe('minimalStatus', () => {
  it('keeps phases, counts and the selected job IDs, drops details, says StatusTooLarge', () => {
    const copy = structuredClone(selected);
    const out = minimalStatus(selected, 'refused as too large', NOW);
    expect(selected, 'the input is not changed').to.deep.equal(copy);
    expect(out.selectedJobIDs).to.deep.equal(['job-new', 'job-old']);
    expect(out.jobs).to.deep.equal([
      {
        jobID: 'job-new',
        phase: 'Running',
        status: { status: 'Running' },
        taskSummary: { total: 1, succeeded: 0, failed: 0, running: 1, other: 0 },
      },
      { jobID: 'job-old', phase: 'Succeeded', status: { status: 'Succeeded' } },
    ]);
    expect(out.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`)).to.deep.equal([
      'Ready=False/StatusTooLarge',
      'Reconciling=True/StatusTooLarge',
    ]);
    expect(out.truncated).to.deep.equal({ message: 'refused as too large', tasksOmitted: 1 });
    expect(parsePolicyJobWatchStatus(out).ok, 'the schema accepts it').to.equal(true);
  });

  it('adds no selectedJobIDs for a resource with spec.jobIDs', () => {
    const byID = structuredClone(selected);
    delete byID.selectedJobIDs;
    expect(minimalStatus(byID, 'refused', NOW)).not.to.have.property('selectedJobIDs');
  });
});
