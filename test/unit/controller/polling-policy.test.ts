import { expect } from 'chai';
import type { JobEntry, PolicyJobWatchStatus } from '../../../src/api/index.js';
import type { JobObservation } from '../../../src/controller/job-entry.js';
import type { FetchError } from '../../../src/controller/fetch-error.js';
import {
  freshness,
  MAX_RETRY_AFTER_MS,
  nextAction,
  type Action,
  type AfterReconcile,
} from '../../../src/controller/polling-policy.js';

const POLL = 30_000;
const running: JobEntry = { jobID: 'a', phase: 'Running' };
const done: JobEntry = { jobID: 'a', phase: 'Succeeded' };
const erroredDone: JobEntry = {
  jobID: 'a',
  phase: 'Succeeded',
  lastError: { reason: 'FetchFailed', message: 'x' },
};
const failed = (error: Partial<FetchError>): JobObservation => ({
  kind: 'failed',
  error: { reason: 'FetchFailed', message: 'boom', ...error } as FetchError,
});

function after(over: Partial<AfterReconcile>): AfterReconcile {
  const status: PolicyJobWatchStatus = { jobs: [running] };
  return {
    status,
    observations: new Map(),
    suspend: false,
    pollMs: POLL,
    elapsedMs: 0,
    random: () => 0.5,
    ...over,
  };
}

describe('polling policy: nextAction', () => {
  const cases: [string, Partial<AfterReconcile>, Action][] = [
    ['suspended: done, whatever is open', { suspend: true }, { kind: 'done' }],
    ['every job terminal: done', { status: { jobs: [done] } }, { kind: 'done' }],
    [
      'a terminal phase with an error is still open',
      { status: { jobs: [erroredDone] } },
      { kind: 'requeueAfter', delayMs: POLL },
    ],
    ['an open job: the poll interval', {}, { kind: 'requeueAfter', delayMs: POLL }],
    [
      'jitter: up to 10% either way',
      { random: () => 0 },
      { kind: 'requeueAfter', delayMs: POLL * 0.9 },
    ],
    [
      'the interval runs from the fetch: minus the time the reconcile took',
      { elapsedMs: 10_000 },
      { kind: 'requeueAfter', delayMs: POLL - 10_000 },
    ],
    [
      'a reconcile longer than the interval still waits a tenth of it',
      { elapsedMs: 5 * POLL },
      { kind: 'requeueAfter', delayMs: POLL / 10 },
    ],
    [
      'a retryable failure: backoff',
      { observations: new Map([['a', failed({})]]) },
      { kind: 'backoff', minDelayMs: 0 },
    ],
    [
      'Retry-After: the longest one',
      {
        observations: new Map([
          ['a', failed({ retryAfterSeconds: 5 })],
          ['b', failed({ retryAfterSeconds: 90 })],
        ]),
      },
      { kind: 'backoff', minDelayMs: 90_000 },
    ],
    [
      'Retry-After is bounded',
      { observations: new Map([['a', failed({ retryAfterSeconds: 86_400 })]]) },
      { kind: 'backoff', minDelayMs: MAX_RETRY_AFTER_MS },
    ],
    [
      'a stalling failure is no backoff: checked again at the poll interval',
      { observations: new Map([['a', failed({ reason: 'Unauthorized' })]]) },
      { kind: 'requeueAfter', delayMs: POLL },
    ],
  ];
  for (const [name, input, want] of cases) {
    it(name, () => {
      expect(nextAction(after(input))).to.deep.equal(want);
    });
  }

  it('draws no random number when it does not poll again', () => {
    let draws = 0;
    nextAction(after({ suspend: true, random: () => (draws++, 0.5) }));
    nextAction(after({ status: { jobs: [done] }, random: () => (draws++, 0.5) }));
    expect(draws).to.equal(0);
  });
});

describe('polling policy: freshness', () => {
  const cases: [Parameters<typeof freshness>[1], number, number][] = [
    ['request', 0, 0],
    ['spec', 0, POLL * 0.8],
    ['poll', POLL * 0.8, POLL],
    ['news', Infinity, Infinity],
  ];
  for (const [why, ownMs, othersMs] of cases) {
    it(`${why}: own answers up to ${ownMs} ms old, others' up to ${othersMs} ms`, () => {
      expect(freshness('ns/r', why, POLL)).to.deep.equal({ requester: 'ns/r', ownMs, othersMs });
    });
  }
});
