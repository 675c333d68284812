import { expect } from 'chai';
import type { JobEntry, PolicyJobWatchStatus } from '../../../src/api/index.js';
import {
  computeStatus,
  type JobObservation,
  type StatusInput,
} from '../../../src/controller/compute-status.js';
import { TASK_BUDGET_PER_RESOURCE } from '../../../src/controller/job-entry.js';
import { mapJob } from '../../../src/controller/map-job.js';
import { parseJob, type UcsJob } from '../../../src/ucs/index.js';
import { SEED_JOB, SEED_JOB_ENTRY, SEED_JOB_ID } from '../../fixtures/seed-status.js';

const NOW = new Date('2026-01-01T00:00:00Z');

function seedJob(): UcsJob {
  const parsed = parseJob(JSON.stringify(SEED_JOB));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.job;
}

function job(status: string, extra: Partial<UcsJob> = {}, reason?: string): UcsJob {
  return {
    kind: 'job',
    metadata: { name: `job-${status}` },
    spec: { type: 'UpdateConstraint' },
    status: { status, ...(reason === undefined ? {} : { reason }) },
    ...extra,
  };
}

function input(
  jobIDs: string[],
  observations: Record<string, JobObservation>,
  more: Partial<StatusInput> = {},
): StatusInput {
  return {
    generation: 3,
    jobIDs,
    suspend: false,
    previous: undefined,
    observations: new Map(Object.entries(observations)),
    now: NOW,
    maxTasksPerJob: 100,
    ...more,
  };
}

const fetched = (j: UcsJob): JobObservation => ({ kind: 'fetched', job: mapJob(j) });
const failed = (reason: string, message = 'boom', retryable = true): JobObservation => ({
  kind: 'failed',
  error: { reason, message, retryable, httpStatus: 503, requestID: 'rid-1' },
});

function conditions(status: PolicyJobWatchStatus): string[] {
  return (status.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`);
}

describe('computeStatus', () => {
  it('mirrors the seed example exactly (every value, times in UTC)', () => {
    const status = computeStatus(input([SEED_JOB_ID], { [SEED_JOB_ID]: fetched(seedJob()) }));
    expect(status.jobs?.[0]).to.deep.equal(SEED_JOB_ENTRY);
    expect(status.phase).to.equal('Succeeded');
    expect(status.progress).to.equal('1/1');
    expect(status.observedGeneration).to.equal(3);
    expect(conditions(status)).to.deep.equal(['Ready=True/JobsSucceeded']);
    expect(status.conditions?.[0]?.observedGeneration).to.equal(3);
  });

  const table: [string, Record<string, JobObservation>, string, string[], string][] = [
    [
      'one running',
      { a: fetched(job('Running')) },
      'Running',
      ['Ready=False/JobsRunning', 'Reconciling=True/JobsRunning'],
      '0/1 jobs succeeded; running: a',
    ],
    [
      'empty status is running',
      { a: fetched(job('')) },
      'Running',
      ['Ready=False/JobsRunning', 'Reconciling=True/JobsRunning'],
      'running: a',
    ],
    [
      'unknown status is running',
      { a: fetched(job('Paused')) },
      'Running',
      ['Ready=False/JobsRunning', 'Reconciling=True/JobsRunning'],
      'running: a',
    ],
    [
      'a failure names the job and reason',
      { a: fetched(job('Failed', {}, 'webhook denied')) },
      'Failed',
      ['Ready=False/JobFailed', 'Stalled=True/JobFailed'],
      'job a Failed: webhook denied',
    ],
    [
      'TimedOut',
      { a: fetched(job('TimedOut')) },
      'Failed',
      ['Ready=False/JobTimedOut', 'Stalled=True/JobTimedOut'],
      'job a TimedOut',
    ],
    [
      'timedout in any case is TimedOut, for the reason as for the phase',
      { a: fetched(job(' timedout ')) },
      'Failed',
      ['Ready=False/JobTimedOut', 'Stalled=True/JobTimedOut'],
      'job a  timedout ',
    ],
    [
      'a failure wins over running jobs',
      { a: fetched(job('Running')), b: fetched(job('Failed')) },
      'Failed',
      ['Ready=False/JobFailed', 'Stalled=True/JobFailed'],
      'job b Failed',
    ],
    [
      '404 stalls',
      { a: failed('JobNotFound', 'No requested resources found.', false) },
      'Pending',
      ['Ready=False/JobNotFound', 'Stalled=True/JobNotFound'],
      'job a: No requested resources found.',
    ],
    [
      'missing Secret stalls',
      { a: failed('CredentialsNotFound', 'Secret ns/x not found', false) },
      'Pending',
      ['Ready=False/CredentialsNotFound', 'Stalled=True/CredentialsNotFound'],
      'Secret ns/x not found',
    ],
    [
      'a 503 retries',
      { a: failed('Unavailable', 'HTTP 503') },
      'Pending',
      ['Ready=False/FetchRetrying', 'Reconciling=True/FetchRetrying'],
      'job a: Unavailable: HTTP 503',
    ],
    [
      'mixed',
      { a: fetched(job('Succeeded')), b: fetched(job('Running')) },
      'Running',
      ['Ready=False/JobsRunning', 'Reconciling=True/JobsRunning'],
      '1/2 jobs succeeded',
    ],
    [
      'all succeeded',
      { a: fetched(job('Succeeded')), b: fetched(job('succeeded')) },
      'Succeeded',
      ['Ready=True/JobsSucceeded'],
      'all 2 jobs succeeded',
    ],
  ];
  for (const [name, observations, phase, expected, message] of table) {
    it(name, () => {
      const status = computeStatus(input(Object.keys(observations), observations));
      expect(status.phase).to.equal(phase);
      expect(conditions(status)).to.deep.equal(expected);
      expect(status.conditions?.[0]?.message).to.include(message);
    });
  }

  it('counts jobs by phase', () => {
    const status = computeStatus(
      input(['a', 'b', 'c', 'd'], {
        a: fetched(job('Succeeded')),
        b: fetched(job('Running')),
        c: failed('Unavailable'),
        d: fetched(job('Failed')),
      }),
    );
    expect(status.summary).to.deep.equal({
      total: 4,
      succeeded: 1,
      failed: 1,
      running: 1,
      pending: 1,
    });
    expect(status.progress).to.equal('1/4');
  });

  it('keeps the last good data of a job whose fetch failed, with the error beside it', () => {
    const previous = computeStatus(input(['a'], { a: fetched(job('Running')) }));
    const status = computeStatus(
      input(['a'], { a: failed('Unavailable', 'HTTP 503') }, { previous }),
    );
    const entry = status.jobs?.[0];
    expect(entry?.name).to.equal('job-Running');
    expect(entry?.phase).to.equal('Running');
    expect(entry?.lastError).to.deep.equal({
      reason: 'Unavailable',
      message: 'HTTP 503',
      httpStatus: 503,
      requestID: 'rid-1',
    });
    const recovered = computeStatus(
      input(['a'], { a: fetched(job('Running')) }, { previous: status }),
    );
    expect(recovered.jobs?.[0]?.lastError).to.equal(undefined);
  });

  it('keeps entries it did not fetch, and lists jobs in spec order', () => {
    const previous = computeStatus(
      input(['a', 'b'], { a: fetched(job('Succeeded')), b: fetched(job('Running')) }),
    );
    const status = computeStatus(
      input(['b', 'a'], { b: fetched(job('Succeeded')), a: { kind: 'kept' } }, { previous }),
    );
    expect(status.jobs?.map((j) => `${j.jobID}:${j.phase}`)).to.deep.equal([
      'b:Succeeded',
      'a:Succeeded',
    ]);
  });

  it('drops entries of job IDs no longer in the spec', () => {
    const previous = computeStatus(
      input(['a', 'b'], { a: fetched(job('Running')), b: fetched(job('Running')) }),
    );
    const status = computeStatus(input(['a'], { a: { kind: 'kept' } }, { previous }));
    expect(status.jobs?.map((j) => j.jobID)).to.deep.equal(['a']);
  });

  it('says Suspended and keeps what it knows', () => {
    const previous = computeStatus(input(['a'], { a: fetched(job('Running')) }));
    const status = computeStatus(input(['a'], {}, { previous, suspend: true }));
    expect(conditions(status)).to.deep.equal(['Ready=False/Suspended']);
    expect(status.jobs?.[0]?.name).to.equal('job-Running');
  });

  it('keeps lastTransitionTime while a condition keeps its status', () => {
    const first = computeStatus(input(['a'], { a: fetched(job('Running')) }));
    const later = new Date(NOW.getTime() + 60_000);
    const same = computeStatus(
      input(['a'], { a: fetched(job('Running')) }, { previous: first, now: later }),
    );
    expect(same).to.deep.equal(first);
    const done = computeStatus(
      input(['a'], { a: fetched(job('Succeeded')) }, { previous: first, now: later }),
    );
    expect(done.conditions?.[0]?.lastTransitionTime).to.equal(later.toISOString());
  });

  it('echoes a handled requested-at value and keeps the previous one otherwise', () => {
    const first = computeStatus(
      input(['a'], { a: fetched(job('Running')) }, { handledRequestedAt: 'r1' }),
    );
    expect(first.lastHandledRequestedAt).to.equal('r1');
    expect(computeStatus(input(['a'], {}, { previous: first })).lastHandledRequestedAt).to.equal(
      'r1',
    );
  });

  it('keeps at most N tasks, failures then running first, in API order, with exact counts', () => {
    const statuses = ['Succeeded', 'Failed', 'Running', 'Pending', 'TimedOut'];
    const taskList = Array.from({ length: 3000 }, (_, i) => ({
      spec: { target: `t${i}` },
      status: { status: i < 10 ? (statuses[i % 5] ?? '') : 'Succeeded' },
    }));
    const status = computeStatus(
      input(['a'], { a: fetched(job('Running', { spec: { taskList } })) }, { maxTasksPerJob: 5 }),
    );
    const entry = status.jobs?.[0];
    expect(entry?.taskSummary).to.deep.equal({
      total: 3000,
      succeeded: 2992,
      failed: 4,
      running: 2,
      other: 2,
    });
    expect(entry?.tasks?.map((t) => t.target)).to.deep.equal(['t1', 't2', 't4', 't6', 't9']);
    expect(entry?.tasksTruncated).to.equal(true);
  });

  it('shares a task budget between the jobs of one resource', () => {
    const taskList = Array.from({ length: 200 }, (_, i) => ({
      spec: { target: `t${i}` },
      status: { status: 'Succeeded' },
    }));
    const ids = Array.from({ length: 20 }, (_, i) => `j${i}`);
    const observations = Object.fromEntries(
      ids.map((id) => [id, fetched(job('Succeeded', { spec: { taskList } }))]),
    );
    const status = computeStatus(input(ids, observations));
    const kept = (status.jobs ?? []).reduce((n, j) => n + (j.tasks?.length ?? 0), 0);
    expect(kept).to.equal(TASK_BUDGET_PER_RESOURCE);
    expect(status.jobs?.[0]?.tasks).to.have.length(TASK_BUDGET_PER_RESOURCE / 20);
  });

  it('leaves out a timestamp it cannot read, and keeps the raw text beside it', () => {
    const j = job('Running', {
      metadata: {
        creationTimestamp: 'yesterday-ish',
        updateTimestamp: '2025-11-10 07:24:08.526889 +0000 UTC',
      },
    });
    const entry = computeStatus(input(['a'], { a: fetched(j) })).jobs?.[0];
    expect(entry?.creationTimestamp).to.equal(undefined);
    expect(entry?.updateTimestamp).to.equal('2025-11-10T07:24:08.526889Z');
    expect(entry?.rawTimestamps).to.deep.equal({ creationTimestamp: 'yesterday-ish' });
  });

  it('says when a running job is past its waitTimeOut, with text that does not change per poll', () => {
    const j = job('Running', {
      spec: { waitTimeOut: 60 },
      status: { status: 'Running', startTime: '2025-12-31T23:00:00Z' },
    });
    const status = computeStatus(input(['a'], { a: fetched(j) }));
    expect(status.jobs?.[0]?.message).to.equal(
      'overdue: still Running after its waitTimeOut of 60s (started 2025-12-31T23:00:00Z)',
    );
    expect(status.conditions?.[0]?.message).to.include('job a: overdue');
    const later = computeStatus(
      input(
        ['a'],
        { a: fetched(j) },
        { previous: status, now: new Date(NOW.getTime() + 3_600_000) },
      ),
    );
    expect(later).to.deep.equal(status);
  });

  it('bounds what a hostile answer can store', () => {
    const extendParam = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    const relatedObjects = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v']),
    );
    const j = job('Running', {
      metadata: { name: 'n'.repeat(5000) },
      spec: { extendParam, relatedObjects, type: 't' },
    });
    const entry = computeStatus(input(['a'], { a: fetched(j) })).jobs?.[0];
    expect(entry?.extendParam).to.equal(undefined);
    expect(entry?.relatedObjects).to.equal(undefined);
    expect(entry?.name).to.have.length(1024);
    expect(entry?.message)
      .to.include('extendParam left out')
      .and.include('relatedObjects left out');
  });

  it('turns an answer the CRD would refuse into an error, keeping the last good data', () => {
    const previous = computeStatus(input(['a'], { a: fetched(job('Running')) }));
    const bad = job('Running', { spec: { waitTimeOut: 1.5 } });
    const entry: JobEntry | undefined = computeStatus(
      input(['a'], { a: fetched(bad) }, { previous }),
    ).jobs?.[0];
    expect(entry?.name).to.equal('job-Running');
    expect(entry?.lastError?.reason).to.equal('InvalidResponse');
    expect(entry?.lastError?.message).to.include('waitTimeOut');
  });

  it('judges one mapped job anew for each share of its tasks (the verdict is kept per shape)', () => {
    const mapped = mapJob(
      job('Running', {
        spec: {
          taskList: [
            { status: { status: 'Failed' } },
            { spec: { waitTimeOut: 1.5 }, status: { status: 'Succeeded' } },
          ],
        },
      }),
    );
    const observation: JobObservation = { kind: 'fetched', job: mapped };
    const entry = (maxTasksPerJob: number): JobEntry | undefined =>
      computeStatus(input(['a'], { a: observation }, { maxTasksPerJob })).jobs?.[0];
    for (let round = 0; round < 2; round++) {
      expect(entry(2)?.lastError?.message, 'both tasks: one the CRD refuses').to.include(
        'waitTimeOut',
      );
      expect(entry(1)?.lastError, 'the failed task only').to.equal(undefined);
      expect(entry(1)?.tasks).to.have.length(1);
    }
  });

  it('replaces lone surrogates, which the apiserver refuses, with U+FFFD', () => {
    const j = job('Running', {
      metadata: { name: 'bad\ud800name' },
      spec: { extendParam: { 'k\udc00': ['v\ud83d'] } },
    });
    const entry = computeStatus(input(['a'], { a: fetched(j) })).jobs?.[0];
    expect(entry?.name).to.equal('bad\ufffdname');
    expect(entry?.extendParam).to.deep.equal({ 'k\ufffd': ['v\ufffd'] });
  });
});

describe('computeStatus after a status that was cut to its budget', () => {
  const cutEntry = (jobID: string): JobEntry => ({
    jobID,
    phase: 'Failed',
    status: { status: 'Failed' },
    taskSummary: { total: 5, failed: 5, succeeded: 0, running: 0, other: 0 },
    tasks: [
      { name: 't0', status: { status: 'Failed' } },
      { name: 't1', status: { status: 'Failed' } },
    ],
    tasksTruncated: true,
  });
  const previous: PolicyJobWatchStatus = {
    observedGeneration: 3,
    phase: 'Failed',
    jobs: [cutEntry('a'), cutEntry('b')],
    truncated: {
      message: 'the status was 2000000 bytes of JSON, over its budget',
      tasksOmitted: 6,
    },
  };

  it('keeps the note while the entries it cut are kept', () => {
    const status = computeStatus(input(['a', 'b'], {}, { previous }));
    expect(status.jobs?.map((j) => j.tasks?.length)).to.deep.equal([2, 2]);
    expect(status.truncated).to.deep.equal(previous.truncated);
  });

  it('counts what is still cut once one job is fetched anew, and drops the note when all are', () => {
    const one = computeStatus(input(['a', 'b'], { a: fetched(seedJob()) }, { previous }));
    expect(one.truncated?.tasksOmitted).to.equal(3);
    const all = computeStatus(
      input(['a', 'b'], { a: fetched(seedJob()), b: fetched(seedJob()) }, { previous }),
    );
    expect(all.truncated).to.equal(undefined);
  });
});
