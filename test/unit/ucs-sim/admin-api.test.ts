import { expect } from 'chai';
import { SimClock, UcsSimulator } from '../../../src/ucs-sim/index.js';
import { admin, getJob, jobBody, send, SEED_ID } from './sim-http.js';

describe('ucs-sim: admin API (/_sim/)', () => {
  let sim: UcsSimulator;

  beforeEach(async () => {
    const clock = new SimClock();
    clock.freeze();
    // Auth on: admin calls must work without it, and never count as UCS requests.
    sim = await UcsSimulator.start({ clock, token: 'T' });
  });

  afterEach(async () => {
    await sim.stop();
  });

  const poll = (id: string) => getJob(sim.url, id, { 'X-Auth-Token': 'T' });

  it('lists its routes', async () => {
    const res = await admin(sim.url, 'GET', '');
    expect(res.status).to.equal(200);
    expect((res.json as { routes: string[] }).routes.join('\n')).to.include(
      'POST   /_sim/jobs/{id}/status',
    );
  });

  it('adds, replaces, inspects and removes a job', async () => {
    const created = await admin(sim.url, 'PUT', 'jobs/j1', {
      finishAt: '10s',
      tasks: [{ target: 'c1' }],
    });
    expect(created).to.deep.equal({ status: 201, json: { id: 'j1' } });
    expect(jobBody(await poll('j1')).status.status).to.equal('Running');
    const replaced = await admin(sim.url, 'PUT', 'jobs/j1', { status: 'Failed', reason: 'boom' });
    expect(replaced.status).to.equal(200);
    expect(jobBody(await poll('j1')).status).to.include({ status: 'Failed', reason: 'boom' });
    const inspected = await admin(sim.url, 'GET', 'jobs/j1');
    expect(inspected.json).to.deep.include({ requests: 2 });
    expect((inspected.json as { job: { timeline: unknown[] } }).job.timeline).to.deep.equal([
      { atMs: 0, status: 'Running' },
      { atMs: 0, status: 'Failed', reason: 'boom' },
    ]);
    expect((await admin(sim.url, 'DELETE', 'jobs/j1')).status).to.equal(200);
    expect((await poll('j1')).status).to.equal(404);
    expect((await admin(sim.url, 'DELETE', 'jobs/j1')).status).to.equal(404);
  });

  it('flips a job and its tasks, and advances a timeline', async () => {
    await admin(sim.url, 'PUT', 'jobs/j2', {
      finishAt: '1m',
      tasks: [{ target: 'a' }, { target: 'b' }],
    });
    const flip = await admin(sim.url, 'POST', 'jobs/j2/status', {
      tasks: { a: { status: 'Succeeded' } },
    });
    expect(flip.status).to.equal(200);
    let job = jobBody(await poll('j2'));
    expect(job.spec.taskList.map((t) => t.status.status)).to.deep.equal(['Succeeded', 'Running']);
    expect(job.status.status).to.equal('Running');
    await admin(sim.url, 'POST', 'jobs/j2/advance', { by: '1m' });
    job = jobBody(await poll('j2'));
    expect(job.status.status).to.equal('Succeeded');
    expect(job.spec.taskList.map((t) => t.status.status)).to.deep.equal(['Succeeded', 'Succeeded']);
  });

  it('refuses bad bodies with 400 and the path of each problem, unknown jobs with 404', async () => {
    const bad = await admin(sim.url, 'PUT', 'jobs/j3', {
      tasks: [{ target: 'a', finishAt: 'never' }],
    });
    expect(bad.status).to.equal(400);
    expect(bad.json).to.deep.nested.include({ 'error.reason': 'InvalidScenario' });
    expect(JSON.stringify(bad.json)).to.include('tasks[0].finishAt');
    const notJson = await admin(sim.url, 'POST', 'faults', '{nope');
    expect(notJson.status).to.equal(400);
    expect(notJson.json).to.deep.nested.include({ 'error.reason': 'InvalidJson' });
    const badRate = await admin(sim.url, 'POST', 'faults', { errorRate: 7 });
    expect(badRate.status).to.equal(400);
    expect(badRate.json).to.deep.nested.include({ 'error.issues[0].path': 'errorRate' });
    expect(
      (await admin(sim.url, 'POST', 'jobs/missing/status', { status: 'Failed' })).status,
    ).to.equal(404);
    expect((await admin(sim.url, 'GET', 'nothing-here')).status).to.equal(404);
    expect((await admin(sim.url, 'PUT', 'jobs/j4', { id: 'other' })).status).to.equal(400);
  });

  it('replaces the whole scenario from YAML, and restarts timelines', async () => {
    const yaml = 'jobs:\n  - id: y1\n    finishAt: 5s\n  - seed: true\n';
    const res = await send(sim.url, { method: 'PUT', path: '/_sim/scenario', body: yaml });
    expect(res.status).to.equal(200);
    expect(JSON.parse(res.body)).to.deep.equal({ jobs: 2 });
    sim.clock.advance(5000);
    expect(jobBody(await poll('y1')).status.status).to.equal('Succeeded');
    await admin(sim.url, 'POST', 'start');
    expect(jobBody(await poll('y1')).status.status).to.equal('Running');
    const listed = await admin(sim.url, 'GET', 'jobs');
    expect(listed.json).to.deep.nested.include({ 'jobs[0].id': 'y1', 'jobs[0].status': 'Running' });
    expect(listed.json).to.deep.nested.include({
      'jobs[1].id': SEED_ID,
      'jobs[1].kind': 'verbatim',
    });
  });

  it('sets, lists, replaces and removes faults', async () => {
    const added = await admin(sim.url, 'POST', 'faults', { errorRate: 1, job: SEED_ID });
    const id = (added.json as { fault: { id: string } }).fault.id;
    expect((await poll(SEED_ID)).status).to.equal(500);
    expect((await admin(sim.url, 'GET', 'faults')).json).to.deep.nested.include({
      'faults[0].id': id,
    });
    await admin(sim.url, 'PUT', 'faults', { faults: [{ throttleRate: 1 }] });
    expect((await poll(SEED_ID)).status).to.equal(429);
    const listed = (await admin(sim.url, 'GET', 'faults')).json as { faults: { id: string }[] };
    expect(listed.faults).to.have.length(1);
    expect(
      (await admin(sim.url, 'DELETE', `faults/${listed.faults[0]?.id ?? ''}`)).status,
    ).to.equal(200);
    expect((await poll(SEED_ID)).status).to.equal(200);
    await admin(sim.url, 'POST', 'faults', { errorRate: 1 });
    await admin(sim.url, 'DELETE', 'faults');
    expect((await poll(SEED_ID)).status).to.equal(200);
  });

  it('moves the simulated clock', async () => {
    const before = sim.clock.now();
    const moved = await admin(sim.url, 'POST', 'clock', { advance: '25h' });
    expect(Date.parse((moved.json as { now: string }).now) - before).to.equal(25 * 3600_000);
    await admin(sim.url, 'POST', 'clock', { set: '2030-01-01T00:00:00Z' });
    expect(sim.clock.now()).to.equal(Date.parse('2030-01-01T00:00:00Z'));
    const reset = await admin(sim.url, 'POST', 'clock', { reset: true });
    expect((reset.json as { frozen: boolean }).frozen).to.equal(false);
    expect(Math.abs(sim.clock.now() - Date.now())).to.be.below(1000);
  });

  it('counts requests per job, by status and by auth method, apart from admin calls', async () => {
    await poll(SEED_ID);
    await poll(SEED_ID);
    await poll('unknown');
    await getJob(sim.url, SEED_ID);
    expect(sim.requestCount(SEED_ID)).to.equal(3);
    expect(sim.requestCount('unknown')).to.equal(1);
    expect(sim.requestCount('never')).to.equal(0);
    const stats = (await admin(sim.url, 'GET', 'stats')).json as ReturnType<UcsSimulator['stats']>;
    expect(stats.requests.total).to.equal(4);
    expect(stats.requests.byStatus).to.deep.equal({ '200': 2, '404': 1, '401': 1 });
    expect(stats.requests.byAuth).to.deep.equal({ token: 3, rejected: 1 });
    expect(stats.jobs).to.deep.equal({ [SEED_ID]: 3, unknown: 1 });
    expect(stats.adminRequests).to.equal(1);
    await admin(sim.url, 'DELETE', 'stats');
    expect(sim.requestCount(SEED_ID)).to.equal(0);
    expect(sim.stats().requests.total).to.equal(0);
  });

  it('resets everything to the start state', async () => {
    await admin(sim.url, 'PUT', 'jobs/extra', {});
    await admin(sim.url, 'POST', 'faults', { errorRate: 1 });
    sim.clock.advance(3600_000);
    await poll(SEED_ID);
    expect((await admin(sim.url, 'POST', 'reset')).status).to.equal(200);
    expect((await poll('extra')).status).to.equal(404);
    expect((await poll(SEED_ID)).status).to.equal(200);
    expect(sim.requestCount(SEED_ID)).to.equal(1);
    expect(sim.faults()).to.deep.equal([]);
  });
});
