import { expect } from 'chai';
import type { UcsSimulator } from '../../../src/ucs-sim/index.js';
import type { PolicyJobWatch } from '../../../src/api/index.js';
import { kubectl } from '../../support/control-plane.js';
import { eventually, sleep } from '../../../harness/eventually.js';
import { OperatorHarness } from '../../support/operator-harness.js';
import { condition } from '../../support/policyjobwatch-client.js';

const NS = 'operator-job-selector';
const TOKEN = 'sim-token-sel-5b2e';
const POLL = '5s';

const reasons = (o: PolicyJobWatch) =>
  (o.status?.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`);

describe('spec.jobSelector against a real kube-apiserver and the UCS simulator', function () {
  this.timeout(120_000);
  const h = new OperatorHarness(NS);
  let sim: UcsSimulator;

  /** A job of one constraint, listed under `kind`. */
  function job(id: string, kind: string, constraintID: string, status: string, finishAt?: string) {
    sim.setJob({
      id,
      listKind: kind,
      type: 'UpdateConstraint',
      operation: 'create',
      extendParam: { constraintID },
      tasks: [{ target: 'c1' }],
      timeline:
        finishAt === undefined
          ? [{ at: '0s', status }]
          : [
              { at: '0s', status: 'Running' },
              { at: finishAt, status },
            ],
    });
  }

  const selector = (kind: string, constraintID: string) => ({
    jobSelector: { kind, type: 'UpdateConstraint', matchExtendParam: { constraintID } },
    pollInterval: POLL,
  });

  before(async () => {
    sim = await h.startWithSimulator({
      sim: { token: TOKEN },
      flags: { pollInterval: POLL, ucsQps: '200', ucsBurst: '400' },
    });
  });

  afterEach(() => {
    sim.clearFaults();
  });

  after(async () => {
    await h.stop();
  });

  it('follows a newer job started on the simulator: the old one drops out, with a JobSelected event', async () => {
    job('follow-a', 'KFollow', 'c-follow', 'Succeeded');
    await h.create('follow', selector('KFollow', 'c-follow'));
    await h.waitFor('follow', (o) => {
      expect(o.status?.selectedJobIDs).to.deep.equal(['follow-a']);
      expect(reasons(o)).to.deep.equal(['Ready=True/JobsSucceeded']);
    });
    // A pipeline (or the console) starts a new job of the same constraint.
    await sleep(1100);
    job('follow-b', 'KFollow', 'c-follow', 'Succeeded', '6s');
    const running = await h.waitFor('follow', (o) => {
      expect(o.status?.selectedJobIDs).to.deep.equal(['follow-b']);
      expect(o.status?.jobs?.map((j) => `${j.jobID}:${j.phase}`)).to.deep.equal([
        'follow-b:Running',
      ]);
    });
    expect(condition(running, 'Ready')?.reason).to.equal('JobsRunning');
    await h.waitFor('follow', (o) => {
      expect(o.status?.jobs?.map((j) => `${j.jobID}:${j.phase}`)).to.deep.equal([
        'follow-b:Succeeded',
      ]);
      expect(condition(o, 'Ready')?.status).to.equal('True');
    });
    // The list answer carries the job's status and tasks: no GET of the job by ID.
    expect(sim.requestCount('follow-a')).to.equal(0);
    expect(sim.requestCount('follow-b')).to.equal(0);
    await eventually(async () => {
      const events = await kubectl(['events', '-n', NS, '--for', 'pjw/follow']);
      expect(events.stdout).to.match(
        /JobSelected\s.*spec\.jobSelector selected job follow-b; no longer watching follow-a/,
      );
    });
    const table = await kubectl(['get', 'pjw', '-n', NS, 'follow']);
    expect(table.stdout).to.match(/\nfollow\s+Succeeded\s+1\/1\s+True\s+JobsSucceeded\s/);
  });

  it('says NoJobSelected while nothing matches, then follows the first job that does', async () => {
    job('nomatch-other', 'KNoMatch', 'c-other', 'Succeeded');
    await h.create('nomatch', selector('KNoMatch', 'c-wanted'));
    await h.waitFor('nomatch', (o) => {
      expect(reasons(o)).to.deep.equal([
        'Ready=False/NoJobSelected',
        'Reconciling=True/NoJobSelected',
      ]);
      expect(o.status?.selectedJobIDs).to.deep.equal([]);
      expect(condition(o, 'Ready')?.message).to.equal(
        'no UCS job of kind KNoMatch matches spec.jobSelector yet',
      );
    });
    job('nomatch-wanted', 'KNoMatch', 'c-wanted', 'Succeeded');
    await h.waitFor('nomatch', (o) => {
      expect(o.status?.selectedJobIDs).to.deep.equal(['nomatch-wanted']);
      expect(condition(o, 'Ready')?.status).to.equal('True');
    });
  });

  for (const [what, fault] of [
    ['5xx', { errorRate: 1 }],
    ['429', { throttleRate: 1, retryAfter: '1s' }],
    ['malformed answers', { malformedRate: 1 }],
  ] as const) {
    it(`list ${what}: FetchRetrying, the last good selection and status kept`, async () => {
      const name = `fault-${what.split(' ')[0] ?? ''}`;
      const kind = `KFault${name}`;
      job(`${name}-a`, kind, 'c-fault', 'Running');
      await h.create(name, selector(kind, 'c-fault'));
      const good = await h.waitFor(name, (o) => {
        expect(o.status?.selectedJobIDs).to.deep.equal([`${name}-a`]);
        expect(condition(o, 'Ready')?.reason).to.equal('JobsRunning');
      });
      sim.setFault({ call: 'list', ...fault });
      const bad = await h.waitFor(name, (o) => {
        expect(condition(o, 'Reconciling')?.reason).to.equal('FetchRetrying');
      });
      expect(bad.status?.selectedJobIDs).to.deep.equal([`${name}-a`]);
      const entry = bad.status?.jobs?.[0];
      expect(entry?.phase).to.equal('Running');
      expect(entry?.status).to.deep.equal(good.status?.jobs?.[0]?.status);
      expect(entry?.tasks).to.deep.equal(good.status?.jobs?.[0]?.tasks);
      expect(entry?.lastError?.reason).to.equal(
        what === '5xx' ? 'Unavailable' : what === '429' ? 'Throttled' : 'InvalidResponse',
      );
      sim.clearFaults();
      await h.waitFor(name, (o) => {
        expect(o.status?.jobs?.[0]?.lastError).to.equal(undefined);
        expect(condition(o, 'Ready')?.reason).to.equal('JobsRunning');
      });
    });
  }

  it('200 selector resources on one kind cost one list call per poll interval', async function () {
    this.timeout(300_000);
    const kind = 'KEconomy';
    job('economy-a', kind, 'c-economy', 'Succeeded');
    const names = Array.from({ length: 200 }, (_, i) => `economy-${i}`);
    for (let i = 0; i < names.length; i += 20) {
      await Promise.all(
        names.slice(i, i + 20).map((n) => h.create(n, selector(kind, 'c-economy'))),
      );
    }
    await eventually(
      async () => {
        const selected = (await h.list()).filter(
          (o) => o.status?.selectedJobIDs?.[0] === 'economy-a' && o.status.phase === 'Succeeded',
        );
        expect(selected).to.have.length(200);
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    // Settled: count the list calls over four poll intervals.
    const before = sim.listRequestCount(kind);
    await sleep(20_000);
    const calls = sim.listRequestCount(kind) - before;
    // One per interval: 4, and one more where a window boundary splits an interval.
    expect(calls).to.be.within(3, 5);
    expect(sim.requestCount('economy-a')).to.equal(0);
  });
});
