import { expect } from 'chai';
import { MAX_STATUS_JSON_BYTES } from '../../../src/api/index.js';
import { DEPTH_NOTE } from '../../../src/controller/map-job.js';
import type { UcsSimulator } from '../../../src/ucs-sim/index.js';
import { OperatorHarness } from '../../support/operator-harness.js';
import { condition } from '../../support/policyjobwatch-client.js';

const NS = 'operator-hostile';
const TOKEN = 'sim-token-hostile-5e2d';
const REASON = 'denied by admission webhook: '.padEnd(3000, 'x');

describe('the operator on answers too large or too deep to store as they are', function () {
  this.timeout(120_000);
  const h = new OperatorHarness(NS);
  let sim: UcsSimulator;

  before(async () => {
    sim = await h.startWithSimulator({
      sim: { token: TOKEN },
      flags: { pollInterval: '5s', ucsQps: '200', ucsBurst: '400' },
    });
  });

  after(async () => {
    await h.stop();
  });

  it('10 jobs x 100 tasks with 3,000-character reasons: a written, bounded status with every job and its failure counts', async () => {
    const ids = Array.from({ length: 10 }, (_, j) => `big-${j}`);
    for (const id of ids) {
      sim.setJob({
        id,
        tasks: Array.from({ length: 100 }, (_, i) => ({
          target: `cluster-${i}`,
          timeline: [{ at: '0s', status: i % 3 === 0 ? 'Failed' : 'Succeeded', reason: REASON }],
        })),
        timeline: [{ at: '0s', status: 'Failed', reason: REASON }],
      });
    }
    await h.create('big', { jobIDs: ids });
    const obj = await h.waitFor('big', (o) => {
      expect(o.status?.jobs).to.have.length(10);
      for (const job of o.status?.jobs ?? []) expect(job.phase).to.equal('Failed');
    });
    const status = obj.status!;
    expect(Buffer.byteLength(JSON.stringify(status))).to.be.at.most(MAX_STATUS_JSON_BYTES);
    expect(status.truncated?.tasksOmitted).to.be.greaterThan(0);
    expect(status.jobs?.map((j) => j.jobID)).to.deep.equal(ids);
    for (const job of status.jobs ?? []) {
      expect(job.taskSummary).to.deep.equal({
        total: 100,
        failed: 34,
        succeeded: 66,
        running: 0,
        other: 0,
      });
      // 340 failed tasks of 3 KB do not fit either: successes went first, failures are kept
      // evenly across the jobs.
      expect(job.tasks?.length).to.be.greaterThan(20);
      expect(job.tasks?.every((t) => t.status?.status === 'Failed')).to.equal(true);
      expect(job.tasksTruncated).to.equal(true);
    }
    expect(condition(obj, 'Stalled')?.reason).to.equal('JobFailed');
  });

  it('a 3,000-level nest in extendParam gives a written status, the deep part as a note', async () => {
    let nest: unknown = 'bottom';
    for (let i = 0; i < 3000; i++) nest = { deeper: nest };
    sim.setJob({
      id: 'deep',
      raw: {
        kind: 'job',
        metadata: { name: 'deep' },
        spec: { extendParam: { nest } },
        status: { status: 'Succeeded' },
      },
    });
    await h.create('deep', { jobIDs: ['deep'] });
    const obj = await h.waitFor('deep', (o) => {
      expect(o.status?.phase).to.equal('Succeeded');
    });
    const job = obj.status?.jobs?.[0];
    expect(JSON.stringify(job?.extendParam)).to.include(DEPTH_NOTE);
    expect(job?.message).to.include('nested deeper than');
  });
});
