import { expect } from 'chai';
import type { PolicyJobWatch } from '../../src/api/index.js';
import type { UcsSimulator } from '../../src/ucs-sim/index.js';
import { sleep } from '../../harness/eventually.js';
import type { OperatorProcess } from '../../harness/operator-process.js';
import { FaultEnv } from './support/fault-env.js';

const NS = 'fault-sigkill';
const TOKEN = 'fault-sigkill-token-5c2f';
const RESOURCES = 12;
const names = Array.from({ length: RESOURCES }, (_, i) => `kill-${String(i).padStart(2, '0')}`);
const jobsOf = (name: string): string[] => [`${name}-x`, `${name}-y`];

function succeededJobs(obj: PolicyJobWatch): number {
  return (obj.status?.jobs ?? []).filter((j) => j.phase === 'Succeeded').length;
}

describe('faults: the operator is SIGKILLed mid-reconcile and restarted', function () {
  this.timeout(300_000);
  let env: FaultEnv;
  let sim: UcsSimulator;
  let operator: OperatorProcess | undefined;
  const flags = { 'poll-interval': '5s', 'max-concurrent-reconciles': '4' };

  before(async function () {
    this.timeout(180_000);
    env = await FaultEnv.start(NS, TOKEN);
    sim = env.sim;
    for (const name of names)
      for (const id of jobsOf(name))
        sim.setJob({ id, tasks: [{ target: 'c1' }], timeline: [{ at: '0s', status: 'Running' }] });
    operator = await env.startOperator(flags);
  });

  after(async () => {
    await env.stop();
  });

  it('converges after a restart with no lost status and no event storm', async () => {
    for (const name of names) await env.create(name, { jobIDs: jobsOf(name) });
    for (const name of names)
      await env.waitFor(name, (o) => {
        expect(o.status?.phase).to.equal('Running');
      });
    // Every JobRunning event is in; nothing more may come for them.
    await sleep(1_000);
    const eventsBefore = await env.events();
    expect(eventsBefore.filter((e) => e.includes(' JobRunning '))).to.have.length(2 * RESOURCES);

    // Slow UCS answers keep reconciles in flight; the first job of each resource finishes.
    const slow = sim.setFault({ latency: '1500ms' });
    for (const name of names)
      sim.setJobStatus(jobsOf(name)[0] ?? '', {
        status: 'Succeeded',
        tasks: { c1: { status: 'Succeeded' } },
      });
    // Kill once some, not all, resources show it: reconciles are under way.
    for (let i = 0; i < 200; i++) {
      const items = await env.list();
      if (items.filter((o) => succeededJobs(o) >= 1).length >= 2) break;
      await sleep(100);
    }
    operator?.kill('SIGKILL');
    await operator?.exited;
    const atKill = new Map((await env.list()).map((o) => [o.metadata.name ?? '', o]));
    const shownAtKill = [...atKill.values()].filter((o) => succeededJobs(o) >= 1).length;
    expect(shownAtKill, 'some resources were still to be reconciled at the kill').to.be.lessThan(
      RESOURCES,
    );

    // While the operator is down, the other jobs finish too.
    for (const name of names)
      sim.setJobStatus(jobsOf(name)[1] ?? '', {
        status: 'Succeeded',
        tasks: { c1: { status: 'Succeeded' } },
      });
    sim.removeFault(slow.id);
    const pending = [...atKill.values()].reduce((n, o) => n + 2 - succeededJobs(o), 0);
    const restartedAt = Date.now();
    operator = await env.startOperator(flags);

    for (const name of names) {
      const obj = await env.waitFor(
        name,
        (o) => {
          expect(o.status?.phase).to.equal('Succeeded');
        },
        60_000,
      );
      // Nothing written before the kill was lost: the status only moved forward.
      expect(succeededJobs(obj)).to.be.at.least(succeededJobs(atKill.get(name) ?? obj));
      expect(obj.status?.observedGeneration).to.equal(obj.metadata.generation);
    }
    await sleep(6_000); // a poll interval: a storm would show by now
    const events = await env.events();
    const counts = new Map<string, number>();
    for (const e of events) counts.set(e, (counts.get(e) ?? 0) + 1);
    const duplicates = [...counts].filter(([, n]) => n > 1);
    expect(duplicates, 'no event is recorded twice').to.deep.equal([]);
    const added = events.filter((e) => !eventsBefore.includes(e));
    expect(
      added.every((e) => e.includes(' JobSucceeded ')),
      added.join('\n'),
    ).to.equal(true);
    // Every event since the kill is a real transition: at most one per job still to finish.
    const sinceRestart = added.length;
    expect(
      sinceRestart,
      `events after the kill (restarted ${String(Date.now() - restartedAt)} ms ago)`,
    ).to.be.at.most(2 * RESOURCES);
    expect(sinceRestart).to.be.at.least(pending);
  });

  it('never logs the token, in the logs of both processes', () => {
    // The scan reads both processes' logs, the killed one's and the restarted one's.
    expect(env.logged('starting')).to.have.length(2);
    expect(env.logged('status updated')).to.not.have.length(0);
    expect(env.leaks()).to.deep.equal([]);
  });
});
