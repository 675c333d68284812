import { expect } from 'chai';
import {
  JobEntrySchema,
  MAX_STATUS_JSON_BYTES,
  parsePolicyJobWatchStatus,
  PolicyJobWatchStatusSchema,
  type JobEntry,
  type PolicyJobWatchStatus,
} from '../../../src/api/index.js';
import { SEED_JOB, SEED_JOB_ENTRY, seedStatus } from '../../fixtures/seed-status.js';

/** Leaves of a JSON value: [name of the leaf, value]. */
function leaves(value: unknown, name = ''): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((v) => leaves(v, name));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, k));
  }
  return [[name, value]];
}

/** RFC 3339 UTC, microseconds kept, from the two forms in the seed. */
function normalised(raw: string): string {
  const go = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d+) \+0000 UTC$/.exec(raw);
  if (go) return `${go[1]}T${go[2]}Z`;
  const fraction = /\.(\d+)/.exec(raw)?.[1] ?? '';
  return new Date(raw).toISOString().replace(/\.\d+Z$/, `.${fraction}Z`);
}

function withJob(patch: Partial<JobEntry>): PolicyJobWatchStatus {
  return { jobs: [{ ...SEED_JOB_ENTRY, ...patch }] };
}

describe('api: the status schema', () => {
  it('accepts the seed example, mapped by hand', () => {
    const result = parsePolicyJobWatchStatus(seedStatus());
    expect(result).to.deep.equal({ ok: true, status: seedStatus() });
  });

  it('keeps every value of the seed answer under its own name', () => {
    const mapped = leaves(SEED_JOB_ENTRY);
    const missing = leaves(SEED_JOB).filter(([name, value]) => {
      const expected =
        typeof value === 'string' && /(Timestamp|Time)$/.test(name) ? normalised(value) : value;
      return !mapped.some(([n, v]) => n === name && v === expected);
    });
    expect(missing).to.deep.equal([]);
  });

  it('accepts an empty status and a first, Pending one', () => {
    expect(parsePolicyJobWatchStatus({}).ok).to.equal(true);
    expect(parsePolicyJobWatchStatus({ jobs: [{ jobID: 'a', phase: 'Pending' }] }).ok).to.equal(
      true,
    );
  });

  const refused: [string, unknown, string][] = [
    [
      '1001 tasks',
      withJob({ tasks: Array.from({ length: 1001 }, (_, i) => ({ name: `t${i}` })) }),
      'status.jobs[0].tasks: Too big',
    ],
    [
      'two entries for one job',
      { jobs: [SEED_JOB_ENTRY, SEED_JOB_ENTRY] },
      `status.jobs[1].jobID: two entries for job ${SEED_JOB_ENTRY.jobID}`,
    ],
    [
      'two Ready conditions',
      { conditions: [seedStatus().conditions?.[0], seedStatus().conditions?.[0]] },
      'status.conditions[1].type: two conditions of type Ready',
    ],
    ['an unknown phase', withJob({ phase: 'TimedOut' as never }), 'status.jobs[0].phase'],
    [
      'a timestamp that is not RFC 3339',
      withJob({ creationTimestamp: '2025-11-10 07:24:03.529155 +0000 UTC' }),
      'status.jobs[0].creationTimestamp',
    ],
    [
      'a reason that is not CamelCase',
      { conditions: [{ ...seedStatus().conditions?.[0], reason: 'not found' }] },
      'status.conditions[0].reason',
    ],
    [
      'a message over 32768 characters',
      withJob({ message: 'x'.repeat(32769) }),
      'status.jobs[0].message: Too big',
    ],
    [
      'a UCS string over 1024 characters',
      withJob({ domainID: 'x'.repeat(1025) }),
      'status.jobs[0].domainID: Too big',
    ],
    [
      'too many related objects',
      withJob({
        relatedObjects: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])),
      }),
      'status.jobs[0].relatedObjects: must have at most 64 entries',
    ],
    [
      'a related-object key over 253 characters',
      withJob({ relatedObjects: { ['k'.repeat(254)]: 'v' } }),
      'status.jobs[0].relatedObjects: keys must be at most 253 characters',
    ],
    [
      'an extendParam over 16384 characters of JSON',
      withJob({ extendParam: { blob: 'x'.repeat(16400) } }),
      'status.jobs[0].extendParam: must be at most 16384 characters of JSON',
    ],
    [
      'an HTTP status out of range',
      withJob({ lastError: { reason: 'Oops', message: '', httpStatus: 1000 } }),
      'status.jobs[0].lastError.httpStatus',
    ],
    [
      'a negative count',
      { summary: { total: -1, succeeded: 0, failed: 0, running: 0, pending: 0 } },
      'status.summary.total',
    ],
    ['a progress that is not n/m', { progress: 'half' }, 'status.progress'],
  ];
  for (const [name, status, message] of refused) {
    it(`refuses ${name}`, () => {
      const result = parsePolicyJobWatchStatus(status);
      expect(result.ok).to.equal(false);
      if (!result.ok) expect(result.message).to.include(message);
    });
  }

  it('keeps any JSON in extendParam, and drops unknown fields elsewhere', () => {
    const extendParam = { constraintID: 'c', nested: { list: [1, 'two', null], flag: true } };
    const entry = JobEntrySchema.parse({ ...SEED_JOB_ENTRY, extendParam, surprise: 1 });
    expect(entry.extendParam).to.deep.equal(extendParam);
    expect(entry).to.not.have.property('surprise');
  });

  it('refuses a status too large for etcd, with what to do about it', () => {
    const task = SEED_JOB_ENTRY.tasks?.[0] ?? {};
    const jobs = Array.from({ length: 100 }, (_, i) => ({
      ...SEED_JOB_ENTRY,
      jobID: `job-${i}`,
      tasks: Array.from({ length: 20 }, () => task),
    }));
    const result = parsePolicyJobWatchStatus({ jobs });
    expect(result.ok).to.equal(false);
    if (!result.ok) {
      expect(result.message).to.equal(
        `status: the status must be at most ${MAX_STATUS_JSON_BYTES} bytes of JSON (etcd stores at most 1.5 MiB per object): keep fewer tasks`,
      );
    }
  });

  it('accepts 1000 tasks, the CRD maximum', () => {
    const tasks = Array.from({ length: 1000 }, (_, i) => ({ name: `t${i}` }));
    expect(PolicyJobWatchStatusSchema.safeParse(withJob({ tasks })).success).to.equal(true);
  });
});
