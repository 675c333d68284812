import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import {
  loadScenarioFile,
  parseScenario,
  ScenarioError,
  SimClock,
  SimulatorError,
  UcsSimulator,
  type ScenarioInput,
} from '../../../src/ucs-sim/index.js';
import { getJob, jobBody, SEED_ID, type JobBody } from './sim-http.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/ucs-sim/scenario.yaml', import.meta.url));
const GO_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})? \+0000 UTC$/;
const RFC3339_CN = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?\+08:00$/;

function scenarioError(text: string): ScenarioError {
  try {
    parseScenario(text, 'test.yaml');
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('expected a ScenarioError');
}

function statuses(job: JobBody): { job: string | undefined; tasks: (string | undefined)[] } {
  return { job: job.status.status, tasks: job.spec.taskList.map((t) => t.status.status) };
}

describe('ucs-sim: scenarios', () => {
  describe('validation', () => {
    it('names the path of every problem', () => {
      const error = scenarioError(`
jobs:
  - id: a
    tasks:
      - target: c1
        finishAt: soon
      - targt: c2
  - id: b
    timeline: [{ at: 0s, status: Running }]
    status: Failed
  - name: no-id
  - id: a
`);
      const paths = error.issues.map((i) => i.path);
      expect(paths).to.include.members([
        'jobs[0].tasks[0].finishAt',
        'jobs[0].tasks[1]',
        'jobs[0].tasks[1].target',
        'jobs[1].status',
        'jobs[2].id',
        'jobs[3].id',
      ]);
      expect(error.message).to.include('test.yaml: invalid scenario');
      expect(error.message).to.include('jobs[0].tasks[0].finishAt: expected a duration like "30s"');
      expect(error.message).to.include('duplicate job id "a" (first at jobs[0])');
    });

    it('reports YAML syntax errors and bad fault rates', () => {
      expect(scenarioError('jobs: [ {id: a').issues[0]?.path).to.equal('(syntax)');
      const faults = scenarioError('faults: [{ errorRate: 2 }]');
      expect(faults.issues[0]).to.deep.include({ path: 'faults[0].errorRate' });
      const raw = scenarioError('jobs: [{ id: r, raw: 3 }]');
      expect(raw.issues[0]?.path).to.equal('jobs[0].raw');
    });

    it('loads the commented example scenario used by the demo', async () => {
      const scenario = await loadScenarioFile(EXAMPLE);
      expect(scenario.jobs).to.have.length(5);
      expect(scenario.jobs[0]?.seed).to.equal(true);
    });

    it('fails to start on an invalid scenario, naming the file', async () => {
      let error: unknown;
      try {
        await UcsSimulator.start({ scenario: { jobs: [{ id: 'x', finishAt: 'later' }] } });
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(ScenarioError);
      expect(String(error)).to.include('jobs[0].finishAt');
    });
  });

  describe('timelines', () => {
    let sim: UcsSimulator;
    const at = async (id: string): Promise<JobBody> => jobBody(await getJob(sim.url, id));
    const start = async (scenario: ScenarioInput): Promise<void> => {
      // A frozen clock from the first instant: time moves only when a test moves it.
      const clock = new SimClock();
      clock.freeze();
      sim = await UcsSimulator.start({ scenario, clock });
    };
    afterEach(async () => {
      await sim.stop();
    });

    it('runs a job for 30 s, then Succeeded on three clusters, shaped like the seed', async () => {
      await start({
        jobs: [
          {
            id: 'job-1',
            finishAt: '30s',
            tasks: [{ target: 'c1' }, { target: 'c2' }, { target: 'c3' }],
          },
        ],
      });
      const running = await at('job-1');
      expect(statuses(running)).to.deep.equal({
        job: 'Running',
        tasks: ['Running', 'Running', 'Running'],
      });
      expect(Object.keys(running)).to.deep.equal([
        'kind',
        'apiVersion',
        'metadata',
        'spec',
        'status',
      ]);
      expect(running.kind).to.equal('job');
      expect(running.apiVersion).to.equal('job.workflow.io/v1alpha1');
      expect(Object.keys(running.metadata)).to.deep.equal([
        'name',
        'uid',
        'creationTimestamp',
        'updateTimestamp',
      ]);
      expect(running.metadata.uid).to.equal('job-1');
      expect(running.metadata.name).to.match(/^UpdateConstraint_[0-9a-f]{8}$/);
      expect(running.metadata.creationTimestamp).to.match(GO_TIME);
      expect(Object.keys(running.spec)).to.deep.equal([
        'taskList',
        'domainID',
        'operation',
        'waitTimeOut',
        'type',
        'extendParam',
      ]);
      const task = running.spec.taskList[0];
      expect(task?.metadata.name).to.equal('c1');
      expect(Object.keys(task?.spec ?? {})).to.deep.equal([
        'jobID',
        'target',
        'targetType',
        'type',
        'runway',
        'waitTimeOut',
      ]);
      expect(task?.spec).to.include({
        jobID: 'job-1',
        target: 'c1',
        targetType: 'cluster',
        runway: 'parallel',
      });
      expect(running.status.startTime).to.match(RFC3339_CN);
      expect(running.status).to.not.have.property('finishTime');

      sim.clock.advance(29_999);
      expect((await at('job-1')).status.status).to.equal('Running');
      sim.clock.advance(1);
      const done = await at('job-1');
      expect(statuses(done)).to.deep.equal({
        job: 'Succeeded',
        tasks: ['Succeeded', 'Succeeded', 'Succeeded'],
      });
      expect(done.status.finishTime).to.match(RFC3339_CN);
      expect(
        Date.parse(done.status.finishTime ?? '') - Date.parse(done.status.startTime ?? ''),
      ).to.equal(30_000);
      expect(done.metadata.updateTimestamp).to.not.equal(running.metadata.updateTimestamp);
      expect(done.metadata.updateTimestamp).to.match(GO_TIME);
    });

    it('fails a job when one of three clusters fails, with the reason', async () => {
      await start({
        jobs: [
          {
            id: 'job-2',
            finishAt: '20s',
            tasks: [
              { target: 'c1' },
              { target: 'c2' },
              { target: 'c3', status: 'Failed', reason: 'webhook denied' },
            ],
          },
        ],
      });
      sim.clock.advance(20_000);
      const failed = await at('job-2');
      expect(statuses(failed)).to.deep.equal({
        job: 'Failed',
        tasks: ['Succeeded', 'Succeeded', 'Failed'],
      });
      expect(failed.status.reason).to.equal('task on cluster c3 failed: webhook denied');
      expect(Object.keys(failed.status)).to.deep.equal([
        'status',
        'reason',
        'startTime',
        'finishTime',
      ]);
      expect(failed.spec.taskList[2]?.status.reason).to.equal('webhook denied');
    });

    it('times a job out along its explicit timeline', async () => {
      await start({
        jobs: [
          {
            id: 'job-3',
            timeline: [
              { at: 0, status: 'Running' },
              { at: '1m', status: 'TimedOut', reason: 'took too long' },
            ],
            tasks: [{ target: 'c1', finishAt: '10s' }, { target: 'c2' }],
          },
        ],
      });
      sim.clock.advance(10_000);
      expect(statuses(await at('job-3'))).to.deep.equal({
        job: 'Running',
        tasks: ['Succeeded', 'Running'],
      });
      sim.clock.advance(50_000);
      const timedOut = await at('job-3');
      expect(statuses(timedOut)).to.deep.equal({
        job: 'TimedOut',
        tasks: ['Succeeded', 'TimedOut'],
      });
      expect(timedOut.status.reason).to.equal('took too long');
    });

    it('moves serial tasks one by one and the job with its last task', async () => {
      await start({
        jobs: [
          {
            id: 's',
            runway: 'serial',
            finishAt: '30s',
            tasks: [{ target: 'a' }, { target: 'b' }, { target: 'c' }],
          },
        ],
      });
      const seen: (string | undefined)[][] = [];
      for (let i = 0; i < 4; i += 1) {
        seen.push(statuses(await at('s')).tasks);
        sim.clock.advance(10_000);
      }
      expect(seen).to.deep.equal([
        ['Running', undefined, undefined],
        ['Succeeded', 'Running', undefined],
        ['Succeeded', 'Succeeded', 'Running'],
        ['Succeeded', 'Succeeded', 'Succeeded'],
      ]);
      expect((await at('s')).status.status).to.equal('Succeeded');
    });

    it('derives the job from task timelines, serves unknown statuses as written, and honours createdAt', async () => {
      await start({
        jobs: [
          {
            id: 'late',
            createdAt: '5s',
            startAt: '10s',
            tasks: [
              {
                target: 'a',
                timeline: [
                  { at: '10s', status: 'Pending' },
                  { at: '12s', status: 'Running' },
                  { at: '15s', status: 'Succeeded' },
                ],
              },
            ],
          },
        ],
      });
      expect((await getJob(sim.url, 'late')).status).to.equal(404);
      sim.clock.advance(5000);
      const created = await at('late');
      expect(created.status).to.deep.equal({});
      expect(created.spec.taskList[0]?.status).to.deep.equal({});
      sim.clock.advance(5000);
      expect(statuses(await at('late'))).to.deep.equal({ job: 'Running', tasks: ['Pending'] });
      sim.clock.advance(5000);
      expect(statuses(await at('late'))).to.deep.equal({ job: 'Succeeded', tasks: ['Succeeded'] });
    });

    it('serves raw jobs and the seed under another id verbatim', async () => {
      await start({
        jobs: [
          { id: 'odd', raw: { kind: 'job', status: { status: 'Paused' }, extra: [1, 2] } },
          { seed: true, id: 'seed-copy' },
          { seed: true },
        ],
      });
      expect((await getJob(sim.url, 'odd')).body).to.equal(
        '{"kind":"job","status":{"status":"Paused"},"extra":[1,2]}',
      );
      const copy = await at('seed-copy');
      expect(copy.metadata.uid).to.equal('seed-copy');
      expect(copy.spec.taskList[0]?.spec.jobID).to.equal('seed-copy');
      expect((await at(SEED_ID)).metadata.uid).to.equal(SEED_ID);
    });

    it('flips job and task statuses from now on, dropping later scheduled changes', async () => {
      await start({
        jobs: [{ id: 'f', finishAt: '30s', tasks: [{ target: 'a' }, { target: 'b' }] }],
      });
      sim.clock.advance(5000);
      sim.setJobStatus('f', {
        status: 'Failed',
        reason: 'stopped by hand',
        tasks: { b: { status: 'Failed', reason: 'x' } },
      });
      const flipped = await at('f');
      expect(statuses(flipped)).to.deep.equal({ job: 'Failed', tasks: ['Running', 'Failed'] });
      expect(flipped.status.reason).to.equal('stopped by hand');
      sim.clock.advance(60_000);
      expect(statuses(await at('f'))).to.deep.equal({
        job: 'Failed',
        tasks: ['Succeeded', 'Failed'],
      });
      expect(() => {
        sim.setJobStatus('f', { tasks: { nope: { status: 'Failed' } } });
      }).to.throw(SimulatorError, 'no task "nope"');
      expect(() => {
        sim.setJobStatus('missing', { status: 'Failed' });
      }).to.throw(SimulatorError, 'no job');
    });

    it('advances one job, restarts all timelines, and adds jobs timed from when they are added', async () => {
      await start({
        jobs: [
          { id: 'x', finishAt: '30s' },
          { id: 'y', finishAt: '30s' },
        ],
      });
      sim.advanceJob('x', '30s');
      expect((await at('x')).status.status).to.equal('Succeeded');
      expect((await at('y')).status.status).to.equal('Running');
      sim.restartTimelines();
      expect((await at('x')).status.status).to.equal('Running');
      sim.clock.advance(20_000);
      sim.setJob({ id: 'z', finishAt: '15s' });
      sim.clock.advance(10_000);
      expect((await at('y')).status.status).to.equal('Succeeded');
      expect((await at('z')).status.status).to.equal('Running');
      sim.clock.advance(5000);
      expect((await at('z')).status.status).to.equal('Succeeded');
      expect(sim.removeJob('z')).to.equal(true);
      expect((await getJob(sim.url, 'z')).status).to.equal(404);
    });

    it('serves the four jobs of the example scenario as the demo expects', async () => {
      const clock = new SimClock();
      clock.freeze();
      sim = await UcsSimulator.start({ scenarioFile: EXAMPLE, clock });
      sim.clearFaults();
      const ids = [
        '6d3f6a52-1b7e-4c52-9a51-2f4d8e0c0a01',
        '6d3f6a52-1b7e-4c52-9a51-2f4d8e0c0a02',
        '6d3f6a52-1b7e-4c52-9a51-2f4d8e0c0a03',
      ];
      sim.clock.advance(60_000);
      const [ok, failed, timedOut] = await Promise.all(ids.map(at));
      expect(statuses(ok!)).to.deep.equal({
        job: 'Succeeded',
        tasks: ['Succeeded', 'Succeeded', 'Succeeded'],
      });
      expect(statuses(failed!)).to.deep.equal({
        job: 'Failed',
        tasks: ['Succeeded', 'Succeeded', 'Failed'],
      });
      expect(statuses(timedOut!)).to.deep.equal({
        job: 'TimedOut',
        tasks: ['Succeeded', 'Succeeded', 'TimedOut'],
      });
      expect((await at(SEED_ID)).metadata.name).to.equal('UpdateConstraint_2ea2e874');
    });
  });
});
