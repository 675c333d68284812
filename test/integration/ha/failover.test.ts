import { expect } from 'chai';
import { CoordinationV1Api, Watch, type V1Lease } from '@kubernetes/client-node';
import { GROUP, PHASES, PLURAL, VERSION, type PolicyJobWatch } from '../../../src/api/index.js';
import { UcsSimulator } from '../../../src/ucs-sim/index.js';
import { controlPlane } from '../../support/control-plane.js';
import { installCrd } from '../../../harness/crd.js';
import { eventually, sleep } from '../../../harness/eventually.js';
import { OperatorProcess, type Exit } from '../../../harness/operator-process.js';
import { metricSum } from '../../../bench/lib/prometheus.js';
import { OperatorHarness } from '../../support/operator-harness.js';

const NS = 'ha-failover';
const LEASE = 'policyjobwatch-leader';
const TOKEN = 'sim-token-ha-5e21';
const LEASE_MS = 4_000;
const RETRY_MS = 500;
/** A standby notices within a retry period (jittered by up to 1.2x, as client-go does). */
const TAKEOVER_BOUND_MS = LEASE_MS + 2.2 * RETRY_MS + 2_000;
const MASTER = 'leader_election_master_status';
const ofLease = (labels: Record<string, string>): boolean => labels.name === LEASE;

/** A replica: `policyjobwatch run` in its own process group, logging JSON. */
type Replica = OperatorProcess;

/** The sum of a metric's samples on a replica's /metrics (0 when it has none). */
async function metric(
  replica: Replica,
  name: string,
  labels?: (labels: Record<string, string>) => boolean,
): Promise<number> {
  return metricSum(await replica.metrics(), name, labels);
}

/** The leader election identity of a replica, from its "campaigning" log line. */
async function identity(replica: Replica): Promise<string> {
  return eventually(
    () => {
      const id = replica.logged('campaigning for leadership')?.identity;
      if (typeof id !== 'string') throw new Error(`${replica.name} has not campaigned yet`);
      return id;
    },
    { timeoutMs: 30_000, intervalMs: 100, fatal: () => !replica.running },
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}\n${replica.tail()}`, { cause: err });
  });
}

/** Waits until a replica's /readyz answers (the informer synced). */
function ready(replica: Replica): Promise<void> {
  return replica.ready({ timeoutMs: 30_000, intervalMs: 200 });
}

/** One version of a resource as a watch delivered it. */
interface Seen {
  name: string;
  resourceVersion: number;
  generation: number;
  observedGeneration: number;
  phase: string;
}

/** Pending < Running < Succeeded = Failed; no status yet comes first. */
const phaseRank = (phase: string): number =>
  phase === 'Failed' ? PHASES.indexOf('Succeeded') : (PHASES as readonly string[]).indexOf(phase);

async function exitWithin(replica: Replica, ms: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${replica.name} did not exit within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([replica.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('high availability: two replicas with leader election, as separate processes', function () {
  this.timeout(90_000);
  const h = new OperatorHarness(NS);
  let sim: UcsSimulator;
  const replicas: Replica[] = [];
  let leases: CoordinationV1Api;
  const seen: Seen[] = [];
  const leaseVersions: {
    resourceVersion: number;
    holder: string;
    durationSeconds: number;
    transitions: number;
  }[] = [];
  const watches: AbortController[] = [];

  const args = (): string[] => [
    '--kubeconfig',
    controlPlane().kubeconfigPath,
    '--namespace',
    NS,
    '--leader-elect',
    '--leader-election-namespace',
    NS,
    '--leader-election-lease-duration',
    `${LEASE_MS / 1000}s`,
    '--leader-election-renew-deadline',
    '3s',
    '--leader-election-retry-period',
    `${RETRY_MS}ms`,
    '--ucs-endpoint',
    sim.url,
    '--credentials-secret',
    `${NS}/ucs-credentials`,
    '--poll-interval',
    '5s',
    '--log-format',
    'json',
  ];

  const start = async (name: string): Promise<Replica> => {
    const replica = await OperatorProcess.start({
      name,
      args: args(),
      processGroup: true,
    });
    replicas.push(replica);
    return replica;
  };

  const holder = async (): Promise<string> => {
    const lease = await leases.readNamespacedLease({ namespace: NS, name: LEASE });
    return lease.spec?.holderIdentity ?? '';
  };

  /** Waits until one of `candidates` holds the lease; returns it. */
  const leaderAmong = async (candidates: Replica[], timeoutMs = 30_000): Promise<Replica> => {
    const ids = await Promise.all(candidates.map(identity));
    return eventually(
      async () => {
        const id = await holder();
        const i = ids.indexOf(id);
        const leader = candidates[i];
        if (!leader)
          throw new Error(`lease holder ${JSON.stringify(id)} is none of ${ids.join(', ')}`);
        return leader;
      },
      { timeoutMs, intervalMs: 50 },
    );
  };

  const failureDetails = (): string => replicas.map((r) => r.tail()).join('\n');

  before(async function () {
    this.timeout(60_000);
    sim = await UcsSimulator.start({ token: TOKEN });
    leases = h.kc.makeApiClient(CoordinationV1Api);
    await installCrd(h.kc);
    await h.core.createNamespace({ body: { metadata: { name: NS } } });
    await h.secret('ucs-credentials', { token: TOKEN });
    // Every version of every resource and of the Lease, from before the first replica starts.
    const watch = new Watch(h.kc);
    watches.push(
      await watch.watch(
        `/apis/${GROUP}/${VERSION}/namespaces/${NS}/${PLURAL}`,
        {},
        (type, obj: PolicyJobWatch) => {
          if (type !== 'ADDED' && type !== 'MODIFIED') return;
          seen.push({
            name: obj.metadata.name ?? '',
            resourceVersion: Number(obj.metadata.resourceVersion),
            generation: obj.metadata.generation ?? 0,
            observedGeneration: obj.status?.observedGeneration ?? 0,
            phase: obj.status?.phase ?? '',
          });
        },
        () => undefined,
      ),
      await watch.watch(
        `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`,
        {},
        (type, obj: V1Lease) => {
          if (type !== 'ADDED' && type !== 'MODIFIED') return;
          leaseVersions.push({
            resourceVersion: Number(obj.metadata?.resourceVersion),
            holder: obj.spec?.holderIdentity ?? '',
            durationSeconds: obj.spec?.leaseDurationSeconds ?? 0,
            transitions: obj.spec?.leaseTransitions ?? 0,
          });
        },
        () => undefined,
      ),
    );
    sim.setJob({ id: 'ha-1', timeline: [{ at: '0s', status: 'Running' }] });
    sim.setJob({ id: 'ha-2', timeline: [{ at: '0s', status: 'Running' }] });
    await h.create('ha-1', { jobIDs: ['ha-1'], pollInterval: '5s' });
    await h.create('ha-2', { jobIDs: ['ha-2'], pollInterval: '5s' });
    await Promise.all([start('replica-a'), start('replica-b')]);
  });

  after(async function () {
    this.timeout(30_000);
    for (const w of watches) w.abort();
    for (const r of replicas) r.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.exited));
    await h.stop();
    await sim.stop();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') process.stdout.write(`${failureDetails()}\n`);
  });

  it('elects one leader: only it reconciles and calls UCS, the standby stays warm and ready', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const leader = await leaderAmong([a, b]);
    const standby = leader === a ? b : a;
    await h.waitFor('ha-1', (o) => {
      expect(o.status?.phase).to.equal('Running');
    });
    await h.waitFor('ha-2', (o) => {
      expect(o.status?.phase).to.equal('Running');
    });
    // Both are ready (the informer synced): readiness is not leadership.
    await Promise.all([ready(leader), ready(standby)]);
    // The standby has seen the other holder (its cache is warm, it is just not acting).
    await eventually(() => {
      expect(standby.logged('the lease is held by another replica; standing by')).to.not.equal(
        undefined,
      );
    });
    const before = sim.stats().requests.total;
    expect(before, 'UCS was called').to.be.greaterThan(0);
    // Over more than a poll interval: the leader keeps polling, the standby never does.
    await sleep(5_500);
    expect(sim.stats().requests.total).to.be.greaterThan(before);
    expect(await metric(leader, MASTER, ofLease)).to.equal(1);
    expect(await metric(standby, MASTER, ofLease)).to.equal(0);
    expect(await metric(leader, 'controller_runtime_reconcile_total')).to.be.greaterThan(0);
    expect(await metric(leader, 'ucs_api_requests_total')).to.be.greaterThan(0);
    expect(await metric(standby, 'controller_runtime_reconcile_total')).to.equal(0);
    expect(await metric(standby, 'ucs_api_requests_total')).to.equal(0);
    // Every UCS request the simulator saw came from the leader (equal between two polls).
    await eventually(async () => {
      expect(await metric(leader, 'ucs_api_requests_total')).to.equal(sim.stats().requests.total);
    });
    expect(standby.logged('became leader')).to.equal(undefined);
  });

  it('fails over after SIGKILL within the lease duration, converges, and never rolls a status back', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const leader = await leaderAmong([a, b]);
    const standby = leader === a ? b : a;
    const standbyId = await identity(standby);
    const killedAt = Date.now();
    leader.kill('SIGKILL');
    // Changes during the failover: a job finishes, a spec changes (generation 2).
    sim.setJobStatus('ha-2', { status: 'Succeeded' });
    await h.patch('ha-1', { spec: { pollInterval: '6s' } });
    const tookOver = await eventually(
      async () => {
        if ((await holder()) !== standbyId) throw new Error('the standby has not taken over');
        return Date.now();
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    const failoverMs = tookOver - killedAt;
    process.stdout.write(`      failover after SIGKILL: ${failoverMs} ms\n`);
    expect((await leader.exited).signal).to.equal('SIGKILL');
    // The standby waited for the lease to expire (it cannot know the leader is dead sooner)...
    expect(failoverMs, 'took over before the lease expired').to.be.greaterThan(
      LEASE_MS - 2 * RETRY_MS,
    );
    // ...and no longer than that plus a retry period (and some slack for a busy machine).
    expect(failoverMs).to.be.lessThan(TAKEOVER_BOUND_MS);
    await eventually(async () => {
      expect(await metric(standby, MASTER, ofLease)).to.equal(1);
    });
    await h.waitFor('ha-2', (o) => {
      expect(o.status?.phase).to.equal('Succeeded');
    });
    await h.waitFor('ha-1', (o) => {
      expect(o.status?.observedGeneration).to.equal(2);
    });
    expect(await metric(standby, 'ucs_api_requests_total')).to.be.greaterThan(0);
    // Every version the watch saw: resourceVersion, observedGeneration and phase only go forward.
    for (const name of ['ha-1', 'ha-2']) {
      const versions = seen.filter((s) => s.name === name);
      expect(versions.length, `${name} versions`).to.be.greaterThan(1);
      for (let i = 1; i < versions.length; i++) {
        const [prev, next] = [versions[i - 1]!, versions[i]!];
        const where = `${name}: ${JSON.stringify(prev)} -> ${JSON.stringify(next)}`;
        expect(next.resourceVersion, where).to.be.greaterThan(prev.resourceVersion);
        expect(next.observedGeneration, where).to.be.at.least(prev.observedGeneration);
        expect(phaseRank(next.phase), where).to.be.at.least(phaseRank(prev.phase));
      }
    }
  });

  it('a paused leader that lost the lease never writes again and exits 1 when it wakes', async () => {
    const leader = replicas.find((r) => r.running)!;
    expect(await holder()).to.equal(await identity(leader));
    const standby = await start('replica-c');
    await ready(standby);
    const standbyId = await identity(standby);
    await eventually(() => {
      expect(standby.logged('the lease is held by another replica; standing by')).to.not.equal(
        undefined,
      );
    });
    const simBefore = sim.stats().requests.total;
    expect(await metric(standby, 'ucs_api_requests_total')).to.equal(0);
    // A stop-the-world pause (or a partition) longer than the lease: the standby takes over.
    leader.kill('SIGSTOP');
    try {
      await eventually(
        async () => {
          if ((await holder()) !== standbyId) throw new Error('the standby has not taken over');
        },
        { timeoutMs: 20_000, intervalMs: 50 },
      );
      sim.setJob({ id: 'ha-4', timeline: [{ at: '0s', status: 'Running' }] });
      await h.create('ha-4', { jobIDs: ['ha-4'], pollInterval: '5s' });
      await h.waitFor('ha-4', (o) => {
        expect(o.status?.phase).to.equal('Running');
      });
      sim.setJobStatus('ha-4', { status: 'Succeeded' });
      await h.waitFor('ha-4', (o) => {
        expect(o.status?.phase).to.equal('Succeeded');
      });
    } finally {
      leader.kill('SIGCONT');
    }
    const resumedAt = Date.now();
    const exit = await exitWithin(leader, 10_000);
    process.stdout.write(
      `      the paused leader exited ${exit.atMs - resumedAt} ms after waking\n`,
    );
    expect(exit.code).to.equal(1);
    expect(exit.atMs - resumedAt).to.be.lessThan(3_000);
    expect(leader.logged('leader election lost')).to.not.equal(undefined);
    // Since the pause, every UCS request came from the new leader: the old one, woken with
    // requeued work and past its renew deadline, called UCS no more...
    await eventually(async () => {
      expect(sim.stats().requests.total - simBefore).to.equal(
        await metric(standby, 'ucs_api_requests_total'),
      );
    });
    // ...and wrote nothing: no status went back to Running.
    const versions = seen.filter((s) => s.name === 'ha-4');
    const firstDone = versions.findIndex((v) => v.phase === 'Succeeded');
    expect(firstDone).to.be.at.least(0);
    expect(versions.slice(firstDone).map((v) => v.phase)).to.not.include('Running');
    expect((await h.get('ha-4')).status?.phase).to.equal('Succeeded');
  });

  it('on SIGTERM exits 0 within 10 s and releases the lease, so a standby takes over at once', async () => {
    const leader = replicas.find((r) => r.running)!;
    const leaderId = await identity(leader);
    expect(await holder()).to.equal(leaderId);
    const standby = await start('replica-d');
    await ready(standby);
    const standbyId = await identity(standby);
    await eventually(() => {
      expect(standby.logged('the lease is held by another replica; standing by')).to.not.equal(
        undefined,
      );
    });
    // A reconcile in flight when SIGTERM comes: its UCS call takes 2 s.
    sim.setJob({ id: 'ha-slow', timeline: [{ at: '0s', status: 'Succeeded' }] });
    sim.setFault({ job: 'ha-slow', latency: '2s' });
    await h.create('ha-slow', { jobIDs: ['ha-slow'] });
    await eventually(() => {
      expect(sim.requestCount('ha-slow')).to.be.at.least(1);
    });
    const transitions = leaseVersions.at(-1)?.transitions ?? 0;
    const from = leaseVersions.length;
    const termAt = Date.now();
    leader.kill('SIGTERM');
    const exit = await exitWithin(leader, 15_000);
    const exitMs = exit.atMs - termAt;
    process.stdout.write(`      SIGTERM to exit: ${exitMs} ms\n`);
    expect(exit.code, 'exit code').to.equal(0);
    expect(exitMs).to.be.lessThan(10_000);
    expect(leader.logged('released the lease')).to.not.equal(undefined);
    const tookOver = await eventually(
      async () => {
        if ((await holder()) !== standbyId) throw new Error('the standby has not taken over');
        return Date.now();
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    const takeoverMs = tookOver - exit.atMs;
    process.stdout.write(`      takeover after a release: ${takeoverMs} ms after the exit\n`);
    // A released lease is free at once: no waiting for the lease duration.
    expect(takeoverMs).to.be.lessThan(LEASE_MS - 1_000);
    const after = leaseVersions.slice(from);
    expect(after.map((v) => v.holder)).to.include('');
    const released = after.find((v) => v.holder === '')!;
    expect(released.durationSeconds).to.equal(1);
    // The reconcile in flight finished and wrote its status before the lease was released
    // (resourceVersions are etcd revisions: one order across objects).
    const slowDone = seen.find((v) => v.name === 'ha-slow' && v.phase === 'Succeeded');
    expect(slowDone, 'ha-slow written by the stopping leader').to.not.equal(undefined);
    expect(slowDone!.resourceVersion).to.be.lessThan(released.resourceVersion);
    expect(exitMs, 'waited for the reconcile in flight').to.be.greaterThan(1_000);
    expect(after.at(-1)).to.deep.include({ holder: standbyId, transitions: transitions + 1 });
    // The new leader works: a new resource converges.
    sim.setJob({ id: 'ha-3', timeline: [{ at: '0s', status: 'Succeeded' }] });
    await h.create('ha-3', { jobIDs: ['ha-3'] });
    await h.waitFor('ha-3', (o) => {
      expect(o.status?.phase).to.equal('Succeeded');
    });
  });
});
