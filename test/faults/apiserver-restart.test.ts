import { expect } from 'chai';
import { REQUESTED_AT_ANNOTATION } from '../../src/api/index.js';
import type { UcsSimulator } from '../../src/ucs-sim/index.js';
import { sleep } from '../../harness/eventually.js';
import type { OperatorProcess } from '../../harness/operator-process.js';
import { FaultEnv } from './support/fault-env.js';

const NS = 'fault-apiserver';
const TOKEN = 'fault-apiserver-token-93ad';
const NAMES = ['restart-a', 'restart-b', 'restart-c'];
const DOWN_MS = 8_000;

describe('faults: kube-apiserver restarts mid-run on the same etcd', function () {
  this.timeout(240_000);
  let env: FaultEnv;
  let sim: UcsSimulator;
  let operator: OperatorProcess | undefined;

  before(async function () {
    this.timeout(180_000);
    env = await FaultEnv.start(NS, TOKEN);
    sim = env.sim;
    for (const id of NAMES)
      sim.setJob({ id, tasks: [{ target: 'c1' }], timeline: [{ at: '0s', status: 'Running' }] });
    sim.setJob({ id: 'restart-late', timeline: [{ at: '0s', status: 'Succeeded' }] });
    operator = await env.startOperator({ 'poll-interval': '5s' });
  });

  after(async () => {
    await env.stop();
  });

  it('resumes its watch, loses no update made during the outage, and converges', async () => {
    for (const name of NAMES) await env.create(name, { jobIDs: [name] });
    for (const name of NAMES)
      await env.waitFor(name, (o) => {
        expect(o.status?.phase).to.equal('Running');
      });

    const restart = env.cp.restartApiServer({ downMs: DOWN_MS });
    await sleep(1_000);
    // During the outage: jobs change in UCS; the operator sees it but cannot write.
    sim.setJobStatus('restart-a', { status: 'Succeeded', tasks: { c1: { status: 'Succeeded' } } });
    sim.setJobStatus('restart-b', {
      status: 'Failed',
      reason: 'webhook denied',
      tasks: { c1: { status: 'Failed' } },
    });
    await sleep(DOWN_MS / 2);
    expect(
      await env.get('restart-a').then(
        () => 'reachable',
        () => 'down',
      ),
      'the apiserver is down',
    ).to.equal('down');
    await restart;

    // The updates made during the outage arrive.
    await env.waitFor(
      'restart-a',
      (o) => {
        expect(o.status?.phase).to.equal('Succeeded');
      },
      60_000,
    );
    await env.waitFor(
      'restart-b',
      (o) => {
        expect(o.status?.phase).to.equal('Failed');
      },
      60_000,
    );
    // The watch works again: a new resource and a changed one are seen.
    await env.create('restart-late', { jobIDs: ['restart-late'] });
    await env.waitFor(
      'restart-late',
      (o) => {
        expect(o.status?.phase).to.equal('Succeeded');
      },
      60_000,
    );
    await env.patch('restart-c', {
      metadata: { annotations: { [REQUESTED_AT_ANNOTATION]: 'r1' } },
    });
    await env.waitFor(
      'restart-c',
      (o) => {
        expect(o.status?.lastHandledRequestedAt).to.equal('r1');
      },
      30_000,
    );
    // And polling goes on for the job still running.
    sim.setJobStatus('restart-c', { status: 'Succeeded', tasks: { c1: { status: 'Succeeded' } } });
    await env.waitFor(
      'restart-c',
      (o) => {
        expect(o.status?.phase).to.equal('Succeeded');
      },
      30_000,
    );
    expect(operator?.running, 'the operator never crashed').to.equal(true);
    const events = await env.events();
    for (const [name, reason] of [
      ['restart-a', 'JobSucceeded'],
      ['restart-b', 'JobFailed'],
    ] as const) {
      const matching = events.filter((e) => e.startsWith(`${name} `) && e.includes(` ${reason} `));
      expect(matching, `${name} ${reason} events`).to.have.length(1);
    }
  });

  it('never logs the token, though it logged the outage', () => {
    // The scan reads the error paths: what failed while the apiserver was down was logged.
    const outage = [
      ...env.logged('watch of PolicyJobWatch resources failed; restarting'),
      ...env.logged('reconcile failed'),
    ];
    expect(outage).to.not.have.length(0);
    expect(outage.every((r) => typeof r.error === 'string' && r.error !== '')).to.equal(true);
    expect(env.leaks()).to.deep.equal([]);
  });
});
