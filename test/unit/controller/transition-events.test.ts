import { expect } from 'chai';
import type { JobEntry, PolicyJobWatchStatus } from '../../../src/api/index.js';
import { transitionEvents } from '../../../src/controller/transition-events.js';

function status(...jobs: JobEntry[]): PolicyJobWatchStatus {
  return { jobs };
}

const events = (before: PolicyJobWatchStatus | undefined, after: PolicyJobWatchStatus): string[] =>
  transitionEvents(before, after).map((e) => `${e.type} ${e.reason}: ${e.message}`);

describe('transition events', () => {
  const running: JobEntry = { jobID: 'a', phase: 'Running', status: { status: 'Running' } };
  const succeeded: JobEntry = {
    jobID: 'a',
    phase: 'Succeeded',
    status: { status: 'Succeeded' },
    taskSummary: { total: 3, succeeded: 3, failed: 0, running: 0, other: 0 },
  };

  it('emits one event per phase change and none when nothing changed', () => {
    expect(events(undefined, status(running))).to.deep.equal([
      'Normal JobRunning: job a is running',
    ]);
    expect(events(status(running), status(running))).to.deep.equal([]);
    expect(events(status(running), status(succeeded))).to.deep.equal([
      'Normal JobSucceeded: job a succeeded (3/3 tasks succeeded, 0 failed)',
    ]);
    expect(events(status(succeeded), status(succeeded))).to.deep.equal([]);
  });

  it('reads timedout in any case as a time-out, as the phase does', () => {
    const timedOut: JobEntry = { jobID: 'a', phase: 'Failed', status: { status: 'timedout' } };
    expect(events(status(running), status(timedOut))).to.deep.equal([
      'Warning JobTimedOut: job a timed out',
    ]);
  });

  it('tells a failure from a time-out, with the UCS reason', () => {
    const failed: JobEntry = {
      jobID: 'a',
      phase: 'Failed',
      status: { status: 'Failed', reason: 'denied' },
    };
    const timedOut: JobEntry = { jobID: 'a', phase: 'Failed', status: { status: 'TimedOut' } };
    expect(events(status(running), status(failed))).to.deep.equal([
      'Warning JobFailed: job a failed: denied',
    ]);
    expect(events(status(running), status(timedOut))).to.deep.equal([
      'Warning JobTimedOut: job a timed out',
    ]);
  });

  it('warns about a new fetch error once, not on every failing poll', () => {
    const erring: JobEntry = {
      ...running,
      lastError: {
        reason: 'Unavailable',
        message: 'HTTP 500',
        httpStatus: 500,
        code: 'UCS.00000005',
      },
    };
    expect(events(status(running), status(erring))).to.deep.equal([
      'Warning FetchFailed: job a: Unavailable: HTTP 500',
    ]);
    expect(events(status(erring), status(erring))).to.deep.equal([]);
    const other: JobEntry = {
      ...running,
      lastError: { reason: 'Throttled', message: 'slow down', httpStatus: 429 },
    };
    expect(events(status(erring), status(other))).to.have.length(1);
  });

  it('says nothing for a job that stays pending', () => {
    const pending: JobEntry = { jobID: 'a', phase: 'Pending' };
    expect(events(undefined, status(pending))).to.deep.equal([]);
  });
});
