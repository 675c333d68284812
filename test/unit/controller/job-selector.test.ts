import { expect } from 'chai';
import type { JobSelector } from '../../../src/api/index.js';
import { JobListCache, type JobListClientFactory } from '../../../src/controller/job-list-cache.js';
import {
  matchesSelector,
  selectJobs,
  type SelectableJob,
} from '../../../src/controller/job-selector.js';
import { sortableTime, type ListJobsResult, type UcsCredentials } from '../../../src/ucs/index.js';

const base: SelectableJob = {
  id: 'j',
  createdAt: sortableTime('2026-01-02T00:00:00Z') ?? '',
  type: 'UpdateConstraint',
  operation: 'create',
  extendParam: { constraintID: 'c1', n: '3' },
  relatedObjects: { cluster: 'prod' },
};
const sel = (extra: Partial<JobSelector> = {}): JobSelector => ({
  kind: 'EnablePolicy',
  newest: 1,
  ...extra,
});

describe('matchesSelector', () => {
  const cases: [string, Partial<JobSelector>, boolean][] = [
    ['no criteria', {}, true],
    ['type equal', { type: 'UpdateConstraint' }, true],
    ['type differs', { type: 'updateconstraint' }, false],
    ['operation differs', { operation: 'retry' }, false],
    ['every extendParam pair', { matchExtendParam: { constraintID: 'c1', n: '3' } }, true],
    ['one extendParam pair differs', { matchExtendParam: { constraintID: 'c1', n: '4' } }, false],
    ['an extendParam key missing', { matchExtendParam: { other: 'x' } }, false],
    ['relatedObjects pair', { matchRelatedObjects: { cluster: 'prod' } }, true],
    ['relatedObjects differs', { matchRelatedObjects: { cluster: 'dev' } }, false],
    ['created after', { createdAfter: '2026-01-01T23:59:59+00:00' }, true],
    ['created at exactly', { createdAfter: '2026-01-02T08:00:00+08:00' }, false],
    ['created before', { createdAfter: '2026-01-03T00:00:00Z' }, false],
  ];
  for (const [name, extra, expected] of cases) {
    it(`${name}: ${expected}`, () => {
      expect(matchesSelector(base, sel(extra))).to.equal(expected);
    });
  }

  it('a job without a readable creation time never matches createdAfter', () => {
    const noTime: SelectableJob = { ...base };
    delete noTime.createdAt;
    expect(matchesSelector(noTime, sel({ createdAfter: '2000-01-01T00:00:00Z' }))).to.equal(false);
  });
});

describe('selectJobs', () => {
  it('takes the newest N matches of a newest-first list, with the list’s jobs where complete', () => {
    const job = { phase: 'Running' } as unknown as NonNullable<SelectableJob['job']>;
    const items: SelectableJob[] = [
      { ...base, id: 'd', type: 'Other' },
      { ...base, id: 'c', job },
      { ...base, id: 'b' },
      { ...base, id: 'a', job },
    ];
    const selection = selectJobs(items, sel({ type: 'UpdateConstraint', newest: 2 }));
    expect(selection.jobIDs).to.deep.equal(['c', 'b']);
    expect([...selection.listed.keys()]).to.deep.equal(['c']);
  });
});

describe('JobListCache', () => {
  const token: UcsCredentials = { kind: 'token', token: 't' };
  let now = 0;
  const calls: string[] = [];
  let answer: ListJobsResult = { ok: true, list: { items: [], skipped: 0 } };
  const clients: JobListClientFactory = {
    client: () => ({
      listJobs: (kind) => {
        calls.push(kind);
        return Promise.resolve(answer);
      },
    }),
  };
  beforeEach(() => {
    now = 1_000_000;
    calls.length = 0;
    answer = {
      ok: true,
      list: {
        items: [
          {
            id: 'a',
            job: { spec: { taskList: [{}, {}, {}] }, status: { status: 'Running' } },
          },
          { id: 'b', job: { status: { status: 'Running' } } },
        ],
        skipped: 0,
      },
    };
  });

  it('one call per kind and interval for any number of resources; one request in flight shared', async () => {
    const changed: string[] = [];
    const cache = new JobListCache(
      clients,
      60_000,
      () => now,
      (k) => changed.push(k),
    );
    const fresh = (r: string) => ({ requester: r, ownMs: 8_000, othersMs: 10_000 });
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => cache.get('https://u', token, 'K', fresh(`ns/r${i}`))),
    );
    expect(calls).to.deep.equal(['K']);
    now += 9_000;
    await cache.get('https://u', token, 'K', fresh('ns/r5'));
    expect(calls).to.deep.equal(['K']);
    await cache.get('https://u', token, 'Other', fresh('ns/r5'));
    now += 2_000;
    await cache.get('https://u', token, 'K', fresh('ns/r6'));
    expect(calls).to.deep.equal(['K', 'Other', 'K']);
    // Told once per kind whose answer changed (the same answer again is no news).
    expect(changed).to.deep.equal(['K', 'Other']);
  });

  it('keeps complete jobs mapped (tasks bounded), and no job for items that lack tasks', async () => {
    const cache = new JobListCache(clients, 60_000, () => now, undefined, 2);
    const result = await cache.get('https://u', token, 'K', {
      requester: 'ns/r',
      ownMs: 0,
      othersMs: 0,
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.items.map((i) => [i.id, i.job?.tasks.length])).to.deep.equal([
      ['a', 2],
      ['b', undefined],
    ]);
  });
});
