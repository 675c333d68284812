import { expect } from 'chai';
import {
  decideLease,
  leaderIdentity,
  observeLease,
  type LeaseObservation,
  type LeaseRecord,
} from '../../../src/kube/leader-election.js';

const ME = 'pod-a_1a2b3c4d5e';
const OTHER = 'pod-b_99ff00aa11';

function record(holderIdentity: string, renewTime = '2026-01-01T00:00:00.000000Z'): LeaseRecord {
  return { holderIdentity, leaseDurationSeconds: 15, renewTime, leaseTransitions: 3 };
}

function seen(rec: LeaseRecord, observedAtMs: number): LeaseObservation {
  return { record: rec, observedAtMs };
}

describe('leader election: may I take the lease now', () => {
  const cases: [string, LeaseObservation | undefined, number, string][] = [
    ['no Lease yet: create it', undefined, 0, 'create'],
    ['we hold it: renew', seen(record(ME), 0), 1_000, 'renew'],
    ['we hold it, even long after we saw it: renew', seen(record(ME), 0), 3_600_000, 'renew'],
    ['released (empty holder): take it at once', seen(record(''), 1_000), 1_000, 'acquire '],
    ['held by another, just seen: wait', seen(record(OTHER), 10_000), 10_000, `wait ${OTHER}`],
    [
      'held by another, 1 ms before expiry: wait',
      seen(record(OTHER), 10_000),
      24_999,
      `wait ${OTHER}`,
    ],
    [
      'held by another, expired exactly now: take over',
      seen(record(OTHER), 10_000),
      25_000,
      `acquire ${OTHER}`,
    ],
    [
      'held by another, long expired: take over',
      seen(record(OTHER), 0),
      60_000,
      `acquire ${OTHER}`,
    ],
    [
      'released with leaseDurationSeconds 1 by another: still free at once',
      seen({ ...record(''), leaseDurationSeconds: 1 }, 5_000),
      5_000,
      'acquire ',
    ],
    [
      'a record with no duration counts as expired',
      seen({ ...record(OTHER), leaseDurationSeconds: 0 }, 5_000),
      5_000,
      `acquire ${OTHER}`,
    ],
  ];
  for (const [title, observation, now, expected] of cases) {
    it(title, () => {
      const d = decideLease(observation, ME, now);
      const text =
        d.kind === 'wait'
          ? `wait ${d.holder}`
          : d.kind === 'acquire'
            ? `acquire ${d.from}`
            : d.kind;
      expect(text).to.equal(expected);
    });
  }

  it('says when a lease held by another expires, on our clock', () => {
    const d = decideLease(seen(record(OTHER), 10_000), ME, 12_000);
    expect(d).to.deep.equal({ kind: 'wait', holder: OTHER, expiresAtMs: 25_000 });
  });
});

describe('leader election: observing the lease', () => {
  it('keeps the first observation time while the record does not change', () => {
    const first = observeLease(undefined, record(OTHER), 1_000);
    const again = observeLease(first, record(OTHER), 9_000);
    expect(again.observedAtMs).to.equal(1_000);
    // ...so a holder that stopped renewing expires one lease duration after we first saw it.
    expect(decideLease(again, ME, 16_000).kind).to.equal('acquire');
  });

  it('restarts the clock on every renew it sees, whatever renewTime says (no clock skew)', () => {
    const first = observeLease(undefined, record(OTHER, '2020-01-01T00:00:00.000000Z'), 1_000);
    // The holder renewed (its clock is years behind ours): still alive.
    const renewed = observeLease(first, record(OTHER, '2020-01-01T00:00:02.000000Z'), 14_000);
    expect(renewed.observedAtMs).to.equal(14_000);
    expect(decideLease(renewed, ME, 16_000).kind).to.equal('wait');
    expect(decideLease(renewed, ME, 29_000).kind).to.equal('acquire');
  });

  it('sees a change of holder, duration or transitions as a change', () => {
    const first = observeLease(undefined, record(OTHER), 0);
    expect(observeLease(first, record(ME), 5).observedAtMs).to.equal(5);
    expect(
      observeLease(first, { ...record(OTHER), leaseDurationSeconds: 1 }, 6).observedAtMs,
    ).to.equal(6);
    expect(observeLease(first, { ...record(OTHER), leaseTransitions: 4 }, 7).observedAtMs).to.equal(
      7,
    );
  });
});

describe('leader election: identity', () => {
  it('is the hostname and a random suffix, different each time', () => {
    const a = leaderIdentity('policyjobwatch-7d9f-abcde');
    const b = leaderIdentity('policyjobwatch-7d9f-abcde');
    expect(a).to.match(/^policyjobwatch-7d9f-abcde_[0-9a-f]{10}$/);
    expect(a).to.not.equal(b);
  });
});
