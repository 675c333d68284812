import { expect } from 'chai';
import { SimClock, UcsSimulator } from '../../../src/ucs-sim/index.js';
import { writeCallOf } from '../../../src/ucs-sim/write-api.js';
import { getJob, jobBody, send, UUID, type RawResponse } from './sim-http.js';

const TOKEN = 'write-test-token';

function call(url: string, method: string, path: string, body?: unknown, token = TOKEN) {
  return send(url, {
    method,
    path,
    headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

function jobIdOf(res: RawResponse): string {
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${res.body}`);
  const { jobID } = JSON.parse(res.body) as { jobID: string };
  return jobID;
}

describe('ucs-sim: the calls that start jobs', () => {
  it('routes the five documented write calls, and nothing else', () => {
    expect(writeCallOf('POST', '/v1/clusters/c1/policyinstance')).to.deep.equal({
      op: 'createInstance',
      targetType: 'cluster',
      targetId: 'c1',
    });
    expect(writeCallOf('POST', '/v1/clustergroups/g1/policyinstance/')).to.deep.include({
      targetType: 'clustergroup',
      targetId: 'g1',
    });
    expect(writeCallOf('PUT', '/v1/policyinstances/p1')).to.deep.equal({
      op: 'updateInstance',
      instanceId: 'p1',
    });
    expect(writeCallOf('DELETE', '/v1/policyinstances/p1')).to.deep.include({
      op: 'deleteInstance',
    });
    expect(writeCallOf('POST', '/v1/clusters/c1/policy')).to.deep.equal({
      op: 'enablePolicy',
      clusterId: 'c1',
    });
    expect(writeCallOf('GET', '/v1/policyinstances/p1')).to.equal(undefined);
    expect(writeCallOf('POST', '/v1/clusters//policy')).to.equal(undefined);
  });

  describe('served', () => {
    let sim: UcsSimulator;
    let clock: SimClock;

    beforeEach(async () => {
      clock = new SimClock();
      clock.freeze();
      sim = await UcsSimulator.start({
        token: TOKEN,
        clock,
        writeJobDuration: '20s',
        scenario: { jobs: [] },
      });
    });

    afterEach(async () => {
      await sim.stop();
    });

    it('creates a policy instance: a job Running, then Succeeded, with a task on the cluster', async () => {
      const jobId = jobIdOf(
        await call(sim.url, 'POST', '/v1/clusters/cluster-a/policyinstance', { constraint: {} }),
      );
      expect(jobId).to.match(UUID);
      const running = jobBody(await getJob(sim.url, jobId, { 'X-Auth-Token': TOKEN }));
      expect(running.status.status).to.equal('Running');
      expect(running.spec).to.deep.include({
        type: 'CreateConstraint',
        operation: 'create',
        relatedObjects: { clusterID: 'cluster-a' },
      });
      expect(running.spec.taskList.map((t) => t.spec.target)).to.deep.equal(['cluster-a']);
      const constraintID = (running.spec.extendParam as { constraintID: string }).constraintID;
      expect(constraintID).to.match(UUID);

      clock.advance(20_000);
      const done = jobBody(await getJob(sim.url, jobId, { 'X-Auth-Token': TOKEN }));
      expect(done.status.status).to.equal('Succeeded');

      const listed = await call(sim.url, 'GET', '/v1/policy/jobs?kind=PolicyInstance');
      const items = (JSON.parse(listed.body) as { items: { metadata: { uid: string } }[] }).items;
      expect(items.map((j) => j.metadata.uid)).to.deep.equal([jobId]);

      // An update of that instance runs on the same cluster and names the same constraint.
      const update = jobIdOf(
        await call(sim.url, 'PUT', `/v1/policyinstances/${constraintID}`, { constraint: {} }),
      );
      const updated = jobBody(await getJob(sim.url, update, { 'X-Auth-Token': TOKEN }));
      expect(updated.spec).to.deep.include({
        type: 'UpdateConstraint',
        extendParam: { constraintID },
      });
      expect(updated.spec.taskList.map((t) => t.spec.target)).to.deep.equal(['cluster-a']);
    });

    it('targets a cluster group as a fleet; deletes; enables policy management', async () => {
      const group = jobIdOf(
        await call(sim.url, 'POST', '/v1/clustergroups/fleet-1/policyinstance', {}),
      );
      const groupJob = jobBody(await getJob(sim.url, group, { 'X-Auth-Token': TOKEN }));
      expect(groupJob.spec.taskList[0]?.spec).to.deep.include({
        target: 'fleet-1',
        targetType: 'fleet',
      });
      const deleted = jobIdOf(await call(sim.url, 'DELETE', '/v1/policyinstances/p-9'));
      const deleteJob = jobBody(await getJob(sim.url, deleted, { 'X-Auth-Token': TOKEN }));
      expect(deleteJob.spec).to.deep.include({
        type: 'DeleteConstraint',
        extendParam: { constraintID: 'p-9' },
      });
      const enabled = jobIdOf(await call(sim.url, 'POST', '/v1/clusters/cluster-b/policy'));
      const listed = await call(sim.url, 'GET', '/v1/policy/jobs');
      const items = (
        JSON.parse(listed.body) as {
          items: { metadata: { uid: string }; spec: { type: string } }[];
        }
      ).items;
      expect(items.map((j) => [j.metadata.uid, j.spec.type])).to.deep.equal([
        [enabled, 'EnablePolicy'],
      ]);
    });

    it('refuses a bad body with a UCS-style 400 and starts no job', async () => {
      for (const body of ['', '{not json', '[1]', 'null']) {
        const res = await call(sim.url, 'POST', '/v1/clusters/c/policyinstance', body);
        expect(res.status, body).to.equal(400);
        const error = JSON.parse(res.body) as Record<string, string>;
        expect(error.error_code).to.match(/^UCS\.\d{8}$/);
        expect(error.error_msg).to.be.a('string').and.not.equal('');
      }
      expect(sim.jobs()).to.deep.equal([]);
    });

    it('needs the same credentials as the reads, and takes write-scoped faults', async () => {
      const refused = await call(sim.url, 'POST', '/v1/clusters/c/policy', undefined, 'bad');
      expect(refused.status).to.equal(401);
      sim.setFault({ call: 'write', errorRate: 1 });
      expect((await call(sim.url, 'POST', '/v1/clusters/c/policy')).status).to.equal(500);
      expect((await call(sim.url, 'GET', '/v1/policy/jobs')).status).to.equal(200);
      expect(sim.jobs()).to.deep.equal([]);
    });
  });
});
