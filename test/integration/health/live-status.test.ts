import { expect } from 'chai';
import { UcsSimulator } from '../../../src/ucs-sim/index.js';
import { API_VERSION, GROUP, KIND, PLURAL, VERSION } from '../../../src/api/index.js';
import type { PolicyJobWatch } from '../../../src/api/index.js';
import { HEALTH_LUA } from '../../../scripts/argocd-cm-patch.js';
import {
  argocdHealth,
  goTool,
  kstatus,
  type ArgoHealth,
  type KstatusResult,
} from '../../support/go-tools.js';
import { OperatorHarness } from '../../support/operator-harness.js';
import { condition } from '../../support/policyjobwatch-client.js';

const NS = 'health-checks';
/** Watched by no operator: its resources never get a status. */
const UNWATCHED_NS = 'health-checks-unwatched';
const TOKEN = 'health-token-2b7e';

interface Verdicts {
  obj: PolicyJobWatch;
  argo: ArgoHealth;
  flux: KstatusResult;
}

describe('Argo CD and Flux (kstatus) read the live status of PolicyJobWatch', function () {
  this.timeout(60_000);
  const h = new OperatorHarness(NS);
  let sim: UcsSimulator;
  let operatorFlags: Record<string, string>;

  /** The live object, as the API server returns it, judged by both engines. */
  async function verdicts(name: string, namespace = NS): Promise<Verdicts> {
    const obj = (await h.objects.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: PLURAL,
      name,
    })) as PolicyJobWatch;
    const [argo, flux] = await Promise.all([argocdHealth(HEALTH_LUA, obj), kstatus(obj)]);
    return { obj, argo, flux };
  }

  function reasonOf(obj: PolicyJobWatch, type: string): string | undefined {
    return condition(obj, type)?.status === 'True' ? condition(obj, type)?.reason : undefined;
  }

  before(async function () {
    this.timeout(10 * 60_000);
    // Sequential on purpose: the machine is shared; cached after the first run.
    await goTool('argocd-health');
    await goTool('kstatus');
    sim = await UcsSimulator.start({ token: TOKEN });
    operatorFlags = {
      ucsEndpoint: sim.url,
      credentialsSecret: `${NS}/ucs-credentials`,
      pollInterval: '5s',
    };
    await h.start(operatorFlags);
    await h.secret('ucs-credentials', { token: TOKEN });
    await h.secret('wrong', { token: 'not-the-token' });
    const at0 = (status: string, reason?: string) => [
      { at: '0s', status, ...(reason === undefined ? {} : { reason }) },
    ];
    sim.setJob({ id: 'hc-ok', tasks: [{ target: 'c1' }], timeline: at0('Succeeded') });
    sim.setJob({ id: 'hc-ok-2', timeline: at0('Succeeded') });
    sim.setJob({ id: 'hc-running', tasks: [{ target: 'c1' }], timeline: at0('Running') });
    sim.setJob({ id: 'hc-paused', timeline: at0('Running') });
    sim.setJob({
      id: 'hc-failed',
      tasks: [
        { target: 'c1', status: 'Succeeded', finishAt: '0s' },
        { target: 'c2', status: 'Failed', reason: 'webhook denied', finishAt: '0s' },
      ],
      timeline: at0('Failed', 'constraint rejected on cluster c2'),
    });
    // All at once, so that the operator's first polls overlap.
    await Promise.all([
      h.create('succeeded', { jobIDs: ['hc-ok'], pollInterval: '5s' }),
      h.create('running', { jobIDs: ['hc-running'], pollInterval: '5s' }),
      h.create('failed', { jobIDs: ['hc-failed'] }),
      h.create('not-found', { jobIDs: ['hc-no-such-job'] }),
      h.create('unauthorized', { jobIDs: ['hc-ok'], credentialsRef: { name: 'wrong' } }),
      h.create('paused', { jobIDs: ['hc-paused'], pollInterval: '5s' }),
      h.create('no-job-selected', {
        jobSelector: { kind: 'KNone', matchExtendParam: { constraintID: 'none' } },
        pollInterval: '5s',
      }),
    ]);
  });

  after(async function () {
    this.timeout(60_000);
    await h.core.deleteNamespace({ name: UNWATCHED_NS }).catch(() => undefined);
    await h.stop();
    await sim.stop();
  });

  it('all jobs succeeded: Argo CD Healthy, kstatus Current', async () => {
    await h.waitFor('succeeded', (o) => {
      expect(condition(o, 'Ready')?.status).to.equal('True');
    });
    const { argo, flux } = await verdicts('succeeded');
    expect(argo).to.deep.equal({
      status: 'Healthy',
      message: 'JobsSucceeded: all 1 jobs succeeded',
    });
    expect(flux).to.include({ status: 'Current', message: 'Resource is Ready' });
  });

  it('a job running: Argo CD Progressing, kstatus InProgress', async () => {
    await h.waitFor('running', (o) => {
      expect(reasonOf(o, 'Reconciling')).to.equal('JobsRunning');
    });
    const { argo, flux } = await verdicts('running');
    expect(argo).to.deep.equal({
      status: 'Progressing',
      message: 'JobsRunning: 0/1 jobs succeeded; running: hc-running',
    });
    expect(flux).to.include({
      status: 'InProgress',
      message: '0/1 jobs succeeded; running: hc-running',
    });
  });

  it('a jobSelector with no match yet: Argo CD Progressing (NoJobSelected), kstatus InProgress', async () => {
    await h.waitFor('no-job-selected', (o) => {
      expect(reasonOf(o, 'Reconciling')).to.equal('NoJobSelected');
    });
    const { argo, flux } = await verdicts('no-job-selected');
    expect(argo).to.deep.equal({
      status: 'Progressing',
      message: 'NoJobSelected: no UCS job of kind KNone matches spec.jobSelector yet',
    });
    expect(flux).to.include({
      status: 'InProgress',
      message: 'no UCS job of kind KNone matches spec.jobSelector yet',
    });
  });

  it('a job failed: Argo CD Degraded, kstatus Failed', async () => {
    await h.waitFor('failed', (o) => {
      expect(reasonOf(o, 'Stalled')).to.equal('JobFailed');
    });
    const { argo, flux } = await verdicts('failed');
    const message = 'job hc-failed Failed: constraint rejected on cluster c2 (1/2 tasks failed)';
    expect(argo).to.deep.equal({ status: 'Degraded', message: `JobFailed: ${message}` });
    expect(flux).to.include({ status: 'Failed', message });
  });

  it('a job UCS does not know (stalled fetch): Argo CD Degraded, kstatus Failed', async () => {
    await h.waitFor('not-found', (o) => {
      expect(reasonOf(o, 'Stalled')).to.equal('JobNotFound');
    });
    const { obj, argo, flux } = await verdicts('not-found');
    const message = condition(obj, 'Stalled')!.message;
    expect(message).to.include('hc-no-such-job');
    expect(argo).to.deep.equal({ status: 'Degraded', message: `JobNotFound: ${message}` });
    expect(flux).to.include({ status: 'Failed', message });
  });

  it('credentials UCS refuses (stalled fetch): Argo CD Degraded, kstatus Failed', async () => {
    await h.waitFor('unauthorized', (o) => {
      expect(reasonOf(o, 'Stalled')).to.equal('Unauthorized');
    });
    const { obj, argo, flux } = await verdicts('unauthorized');
    const message = condition(obj, 'Stalled')!.message;
    expect(argo).to.deep.equal({ status: 'Degraded', message: `Unauthorized: ${message}` });
    expect(flux).to.include({ status: 'Failed', message });
  });

  it('suspended: Argo CD Suspended, kstatus InProgress (Ready=False)', async () => {
    await h.waitFor('paused', (o) => {
      expect(o.status?.phase).to.equal('Running');
    });
    await h.patch('paused', { spec: { suspend: true } });
    await h.waitFor('paused', (o) => {
      expect(condition(o, 'Ready')?.reason).to.equal('Suspended');
    });
    const { obj, argo, flux } = await verdicts('paused');
    const message = condition(obj, 'Ready')!.message;
    expect(argo).to.deep.equal({ status: 'Suspended', message: `Suspended: ${message}` });
    // kstatus has no "suspended": a Ready=False condition without Reconciling or Stalled is
    // InProgress, so a Flux Kustomization that waits on a suspended resource waits until timeout.
    expect(flux).to.include({ status: 'InProgress', message });
  });

  it('no status yet: Argo CD Progressing, but kstatus Current (kstatus trusts a resource without conditions)', async () => {
    await h.core
      .createNamespace({ body: { metadata: { name: UNWATCHED_NS } } })
      .catch(() => undefined);
    await h.objects.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: UNWATCHED_NS,
      plural: PLURAL,
      body: {
        apiVersion: API_VERSION,
        kind: KIND,
        metadata: { name: 'unwatched', namespace: UNWATCHED_NS },
        spec: { jobIDs: ['hc-ok'] },
      },
    });
    const { obj, argo, flux } = await verdicts('unwatched', UNWATCHED_NS);
    expect(obj.status).to.equal(undefined);
    expect(argo).to.deep.equal({ status: 'Progressing', message: 'Waiting for the operator' });
    expect(flux).to.include({ status: 'Current', message: 'Resource is current' });
  });

  it('a spec change the operator has not seen (observedGeneration behind): Argo CD Progressing, kstatus InProgress; then both converge', async () => {
    const before = await h.waitFor('succeeded', (o) => {
      expect(condition(o, 'Ready')?.status).to.equal('True');
    });
    expect(before.status?.observedGeneration).to.equal(before.metadata.generation);
    // Nobody reconciles while the spec changes: a real lag, not a hand-made object.
    await h.operator?.stop();
    await h.patch('succeeded', { spec: { jobIDs: ['hc-ok', 'hc-ok-2'] } });
    const lagging = await verdicts('succeeded');
    const generation = lagging.obj.metadata.generation!;
    expect(generation).to.equal(before.metadata.generation! + 1);
    expect(lagging.obj.status?.observedGeneration).to.equal(generation - 1);
    expect(condition(lagging.obj, 'Ready')?.status, 'the stale status still says Ready').to.equal(
      'True',
    );
    expect(lagging.argo).to.deep.equal({
      status: 'Progressing',
      message: `Waiting for the operator to observe generation ${generation}`,
    });
    expect(lagging.flux).to.include({
      status: 'InProgress',
      message: `${KIND} generation is ${generation}, but latest observed generation is ${generation - 1}`,
    });

    await h.start(operatorFlags);
    await h.waitFor('succeeded', (o) => {
      expect(o.status?.observedGeneration).to.equal(generation);
      expect(condition(o, 'Ready')?.status).to.equal('True');
    });
    const converged = await verdicts('succeeded');
    expect(converged.argo).to.deep.equal({
      status: 'Healthy',
      message: 'JobsSucceeded: all 2 jobs succeeded',
    });
    expect(converged.flux.status).to.equal('Current');
  });
});
