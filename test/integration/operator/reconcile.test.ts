import { expect } from 'chai';
import { SEED_JOB_ID, type UcsSimulator } from '../../../src/ucs-sim/index.js';
import type { PolicyJobWatch } from '../../../src/api/index.js';
import { SEED_JOB, SEED_JOB_ENTRY } from '../../fixtures/seed-status.js';
import { kubectl } from '../../support/control-plane.js';
import { OperatorHarness } from '../../support/operator-harness.js';
import { condition } from '../../support/policyjobwatch-client.js';
import { sleep } from '../../../harness/eventually.js';

const NS = 'operator-reconcile';
const TOKEN = 'sim-token-4f1c9a';
const AK = 'AKSIMULATOR0001';
const SK = 'sk-simulator-secret-9d8e7f';
const IAM_PASSWORD = 'iam-password-31b7';
const SECRET_VALUES = [TOKEN, SK, IAM_PASSWORD, 'wrong-token-77aa'];

function expectCondition(obj: PolicyJobWatch, type: string, status: string, reason?: string): void {
  const c = condition(obj, type);
  expect(c, `condition ${type}`).to.not.equal(undefined);
  expect(c?.status, `${type}.status`).to.equal(status);
  if (reason !== undefined) expect(c?.reason, `${type}.reason`).to.equal(reason);
}

describe('the operator against a real kube-apiserver and the UCS simulator', function () {
  this.timeout(60_000);
  const h = new OperatorHarness(NS);
  let sim: UcsSimulator;

  before(async () => {
    sim = await h.startWithSimulator({
      sim: {
        token: TOKEN,
        ak: AK,
        sk: SK,
        iamUser: 'ops',
        iamPassword: IAM_PASSWORD,
        iamDomain: 'acme',
      },
      iam: true,
      flags: { pollInterval: '5s', ucsQps: '200', ucsBurst: '400' },
    });
  });

  after(async () => {
    await h.stop();
  });

  it('mirrors the API page example exactly: every value, times normalised, Ready=True', async () => {
    await h.create('seed', { jobIDs: [SEED_JOB_ID] });
    const obj = await h.waitFor('seed', (o) => {
      expectCondition(o, 'Ready', 'True', 'JobsSucceeded');
    });
    const status = obj.status!;
    expect(status.phase).to.equal('Succeeded');
    expect(status.progress).to.equal('1/1');
    expect(status.observedGeneration).to.equal(obj.metadata.generation);
    expect(status.summary).to.deep.equal({
      total: 1,
      succeeded: 1,
      failed: 0,
      running: 0,
      pending: 0,
    });
    expect(condition(obj, 'Stalled')).to.equal(undefined);
    expect(condition(obj, 'Reconciling')).to.equal(undefined);
    const job = status.jobs?.[0];
    // Every value of the page's example, times normalised to UTC (mapped by hand in the fixture).
    expect(job).to.deep.equal(SEED_JOB_ENTRY);
    // The fixture is the page's own example: the same values, taken from the source.
    expect(job?.name).to.equal(SEED_JOB.metadata.name);
    expect(job?.tasks?.[0]?.target).to.equal(SEED_JOB.spec.taskList[0]?.spec.target);

    const table = await kubectl(['get', 'pjw', '-n', NS, 'seed']);
    expect(table.stdout).to.match(/^NAME\s+PHASE\s+JOBS\s+READY\s+REASON\s+AGE\n/);
    expect(table.stdout).to.match(/\nseed\s+Succeeded\s+1\/1\s+True\s+JobsSucceeded\s+\d+s\n/);
    const wide = await kubectl(['get', 'pjw', '-n', NS, 'seed', '-o', 'wide']);
    expect(wide.stdout).to.match(/REASON\s+AGE\s+MESSAGE\n/);
    expect(wide.stdout).to.include('all 1 jobs succeeded');
    const wait = await kubectl([
      'wait',
      '--for=condition=Ready',
      `pjw/seed`,
      '-n',
      NS,
      '--timeout=10s',
    ]);
    expect(wait.code, wait.stderr).to.equal(0);
    expect((await h.events('seed')).join('\n')).to.include('Normal JobSucceeded job c7678551');
  });

  it('follows a job from Running to Succeeded by polling, with events on the transitions', async () => {
    sim.setJob({
      id: 'run-ok',
      tasks: [{ target: 'c1' }, { target: 'c2' }],
      timeline: [{ at: '0s', status: 'Running' }],
    });
    await h.create('run-ok', { jobIDs: ['run-ok'], pollInterval: '5s' });
    const running = await h.waitFor('run-ok', (o) => {
      expect(o.status?.phase).to.equal('Running');
    });
    expectCondition(running, 'Ready', 'False', 'JobsRunning');
    expectCondition(running, 'Reconciling', 'True', 'JobsRunning');
    expect(running.status?.progress).to.equal('0/1');
    sim.setJobStatus('run-ok', {
      status: 'Succeeded',
      tasks: { c1: { status: 'Succeeded' }, c2: { status: 'Succeeded' } },
    });
    const done = await h.waitFor('run-ok', (o) => {
      expect(o.status?.phase).to.equal('Succeeded');
    });
    expectCondition(done, 'Ready', 'True', 'JobsSucceeded');
    expect(done.status?.jobs?.[0]?.taskSummary).to.deep.equal({
      total: 2,
      succeeded: 2,
      failed: 0,
      running: 0,
      other: 0,
    });
    const events = (await h.events('run-ok')).join('\n');
    expect(events).to.include('Normal JobRunning job run-ok is running');
    expect(events).to.include('Normal JobSucceeded job run-ok succeeded');
  });

  it('reports a failed job as Stalled JobFailed, naming the job and its reason', async () => {
    sim.setJob({
      id: 'run-fail',
      tasks: [{ target: 'c1' }, { target: 'c2' }, { target: 'c3' }],
      timeline: [{ at: '0s', status: 'Running' }],
    });
    await h.create('run-fail', { jobIDs: ['run-fail'], pollInterval: '5s' });
    await h.waitFor('run-fail', (o) => {
      expect(o.status?.phase).to.equal('Running');
    });
    sim.setJobStatus('run-fail', {
      status: 'Failed',
      reason: 'constraint rejected on cluster c2',
      tasks: {
        c1: { status: 'Succeeded' },
        c2: { status: 'Failed', reason: 'webhook denied' },
        c3: { status: 'Succeeded' },
      },
    });
    const failed = await h.waitFor('run-fail', (o) => {
      expect(o.status?.phase).to.equal('Failed');
    });
    expectCondition(failed, 'Ready', 'False', 'JobFailed');
    expectCondition(failed, 'Stalled', 'True', 'JobFailed');
    expect(condition(failed, 'Stalled')?.message).to.include(
      'job run-fail Failed: constraint rejected on cluster c2',
    );
    expect(failed.status?.jobs?.[0]?.taskSummary?.failed).to.equal(1);
    expect((await h.events('run-fail')).join('\n')).to.include(
      'Warning JobFailed job run-fail failed',
    );
  });

  it('reports TimedOut as JobTimedOut, and an unknown status as still running', async () => {
    sim.setJob({
      id: 'timed-out',
      timeline: [{ at: '0s', status: 'TimedOut', reason: 'waited 3600s' }],
    });
    sim.setJob({ id: 'odd-status', timeline: [{ at: '0s', status: 'Paused' }] });
    await h.create('timed-out', { jobIDs: ['timed-out'] });
    await h.create('odd-status', { jobIDs: ['odd-status'] });
    const timedOut = await h.waitFor('timed-out', (o) => {
      expectCondition(o, 'Stalled', 'True', 'JobTimedOut');
    });
    expect(timedOut.status?.jobs?.[0]?.status?.status).to.equal('TimedOut');
    expect(timedOut.status?.phase).to.equal('Failed');
    const odd = await h.waitFor('odd-status', (o) => {
      expectCondition(o, 'Reconciling', 'True', 'JobsRunning');
    });
    expect(odd.status?.jobs?.[0]?.status?.status).to.equal('Paused');
    expect(odd.status?.jobs?.[0]?.phase).to.equal('Running');
  });

  it('marks an unknown job Stalled JobNotFound with the UCS error details', async () => {
    await h.create('missing', { jobIDs: ['no-such-job'] });
    const obj = await h.waitFor('missing', (o) => {
      expectCondition(o, 'Stalled', 'True', 'JobNotFound');
    });
    const error = obj.status?.jobs?.[0]?.lastError;
    expect(error?.httpStatus).to.equal(404);
    expect(error?.code).to.equal('UCS.00000013');
    expect(error?.requestID).to.match(/^[0-9a-f-]{36}$/);
    expect(obj.status?.jobs?.[0]?.phase).to.equal('Pending');
  });

  it('keeps the last good data through a storm of 500s and converges after recovery', async () => {
    sim.setJob({
      id: 'flaky',
      tasks: [{ target: 'c1' }],
      timeline: [{ at: '0s', status: 'Running' }],
    });
    await h.create('flaky', { jobIDs: ['flaky'], pollInterval: '5s' });
    await h.waitFor('flaky', (o) => {
      expect(o.status?.jobs?.[0]?.name).to.be.a('string');
    });
    const fault = sim.setFault({ job: 'flaky', errorRate: 1 });
    const retrying = await h.waitFor('flaky', (o) => {
      expectCondition(o, 'Reconciling', 'True', 'FetchRetrying');
    });
    const entry = retrying.status?.jobs?.[0];
    expect(entry?.lastError?.reason).to.equal('Unavailable');
    expect(entry?.lastError?.httpStatus).to.equal(500);
    expect(entry?.name, 'the last good data stays').to.be.a('string');
    expect(entry?.phase).to.equal('Running');
    sim.removeFault(fault.id);
    sim.setJobStatus('flaky', { status: 'Succeeded', tasks: { c1: { status: 'Succeeded' } } });
    const recovered = await h.waitFor(
      'flaky',
      (o) => {
        expectCondition(o, 'Ready', 'True', 'JobsSucceeded');
      },
      40_000,
    );
    expect(recovered.status?.jobs?.[0]?.lastError).to.equal(undefined);
    expect((await h.events('flaky')).join('\n')).to.include(
      'Warning FetchFailed job flaky: Unavailable: UCS answered HTTP 500',
    );
  });

  it('classifies a malformed body as InvalidResponse and retries', async () => {
    sim.setJob({ id: 'garbled', timeline: [{ at: '0s', status: 'Running' }] });
    const fault = sim.setFault({ job: 'garbled', malformedRate: 1 });
    await h.create('garbled', { jobIDs: ['garbled'] });
    const obj = await h.waitFor('garbled', (o) => {
      expectCondition(o, 'Reconciling', 'True', 'FetchRetrying');
    });
    expect(obj.status?.jobs?.[0]?.lastError?.reason).to.equal('InvalidResponse');
    sim.removeFault(fault.id);
    sim.setJobStatus('garbled', { status: 'Succeeded' });
    await h.waitFor(
      'garbled',
      (o) => {
        expect(o.status?.phase).to.equal('Succeeded');
      },
      40_000,
    );
  });

  it('waits for a missing credentials Secret, then picks it up', async () => {
    await h.create('late-secret', { jobIDs: [SEED_JOB_ID], credentialsRef: { name: 'late' } });
    const stalled = await h.waitFor('late-secret', (o) => {
      expectCondition(o, 'Stalled', 'True', 'CredentialsNotFound');
    });
    expect(condition(stalled, 'Stalled')?.message).to.include(`Secret ${NS}/late not found`);
    await h.secret('late', { accessKey: AK, secretKey: SK });
    await h.waitFor(
      'late-secret',
      (o) => {
        expectCondition(o, 'Ready', 'True', 'JobsSucceeded');
      },
      30_000,
    );
  });

  it('reaches Succeeded with an AK/SK Secret without domainID, through a gateway that wants X-Domain-Id', async () => {
    await h.secret('aksk-no-domain', { accessKey: AK, secretKey: SK });
    await h.create('aksk-no-domain', {
      jobIDs: [SEED_JOB_ID],
      credentialsRef: { name: 'aksk-no-domain' },
    });
    await h.waitFor(
      'aksk-no-domain',
      (o) => {
        expectCondition(o, 'Ready', 'True', 'JobsSucceeded');
      },
      30_000,
    );
    const stats = sim.stats().requests;
    expect(stats.byAuth.aksk ?? 0, 'AK/SK requests accepted').to.be.greaterThan(1);
    expect(stats.rejectedByReason.MissingDomainId ?? 0, 'never without X-Domain-Id').to.equal(0);
  });

  it('shows a key pair that IAM refuses as Stalled CredentialsInvalid, with nothing sent to UCS', async () => {
    const before = sim.requestCount(SEED_JOB_ID);
    await h.secret('aksk-refused', { accessKey: AK, secretKey: 'sk-wrong-0000' });
    await h.create('aksk-refused', {
      jobIDs: [SEED_JOB_ID],
      credentialsRef: { name: 'aksk-refused' },
    });
    const obj = await h.waitFor('aksk-refused', (o) => {
      expectCondition(o, 'Stalled', 'True', 'CredentialsInvalid');
    });
    const message = condition(obj, 'Stalled')?.message ?? '';
    expect(message).to.include('IAM refused the access key pair');
    expect(message).to.include('APIGW.0301');
    expect(message).not.to.include('sk-wrong-0000');
    expect(sim.requestCount(SEED_JOB_ID)).to.equal(before);
  });

  it('never reads a typed Secret (a ServiceAccount token) as credentials', async () => {
    await h.core.createNamespacedServiceAccount({
      namespace: NS,
      body: { metadata: { name: 'someone' } },
    });
    await h.core.createNamespacedSecret({
      namespace: NS,
      body: {
        metadata: {
          name: 'sa-token',
          annotations: { 'kubernetes.io/service-account.name': 'someone' },
        },
        type: 'kubernetes.io/service-account-token',
        stringData: { token: TOKEN },
      },
    });
    const before = sim.requestCount(SEED_JOB_ID);
    await h.create('sa-token', { jobIDs: [SEED_JOB_ID], credentialsRef: { name: 'sa-token' } });
    const obj = await h.waitFor('sa-token', (o) => {
      expectCondition(o, 'Stalled', 'True', 'CredentialsInvalid');
    });
    expect(condition(obj, 'Stalled')?.message).to.include(
      'has type kubernetes.io/service-account-token; credentials are read from Opaque Secrets only',
    );
    expect(sim.requestCount(SEED_JOB_ID)).to.equal(before);
  });

  it('asks IAM once for a wrong password, however many resources use it', async function () {
    this.timeout(60_000);
    await h.secret('wrong-password', {
      username: 'ops',
      password: 'not-the-password',
      domainName: 'acme',
      iamEndpoint: sim.url,
    });
    const iamBefore = sim.stats().requests.byApi.iam ?? 0;
    const names = Array.from({ length: 20 }, (_, i) => `wrong-password-${i}`);
    for (const name of names) {
      await h.create(name, { jobIDs: [`job-${name}`], credentialsRef: { name: 'wrong-password' } });
    }
    for (const name of names) {
      await h.waitFor(name, (o) => {
        expectCondition(o, 'Stalled', 'True', 'Unauthorized');
      });
    }
    // Two poll intervals more: every resource is checked again, IAM is not.
    await sleep(11_000);
    const iamCalls = (sim.stats().requests.byApi.iam ?? 0) - iamBefore;
    expect(iamCalls, 'IAM logins for 20 resources over ~3 poll intervals').to.equal(1);
    const one = await h.waitFor(names[0] ?? '', () => undefined);
    expect(condition(one, 'Stalled')?.message).to.include('not asked again before');
  });

  it('refuses an iamEndpoint that is not allowed, sending nothing to it', async () => {
    await h.secret('evil-iam', {
      username: 'ops',
      password: IAM_PASSWORD,
      domainName: 'acme',
      iamEndpoint: 'https://iam.attacker.example',
    });
    await h.create('evil-iam', { jobIDs: [SEED_JOB_ID], credentialsRef: { name: 'evil-iam' } });
    const obj = await h.waitFor('evil-iam', (o) => {
      expectCondition(o, 'Stalled', 'True', 'CredentialsInvalid');
    });
    expect(condition(obj, 'Stalled')?.message).to.include(
      "iamEndpoint https://iam.attacker.example is not in the operator's --allowed-iam-endpoints",
    );
  });

  it('reports a wrong token as Unauthorized, and recovers when the Secret is fixed', async () => {
    await h.secret('wrong', { token: 'wrong-token-77aa' });
    await h.create('wrong-token', { jobIDs: [SEED_JOB_ID], credentialsRef: { name: 'wrong' } });
    const obj = await h.waitFor('wrong-token', (o) => {
      expectCondition(o, 'Stalled', 'True', 'Unauthorized');
    });
    expect(obj.status?.jobs?.[0]?.lastError?.httpStatus).to.equal(401);
    await h.secret('wrong', {
      username: 'ops',
      password: IAM_PASSWORD,
      domainName: 'acme',
      iamEndpoint: sim.url,
    });
    await h.waitFor(
      'wrong-token',
      (o) => {
        expectCondition(o, 'Ready', 'True', 'JobsSucceeded');
      },
      30_000,
    );
  });

  it('keeps 100 of 3,000 tasks, failures first, with exact counts', async () => {
    const tasks = Array.from({ length: 3000 }, (_, i) => ({
      target: `cluster-${String(i).padStart(4, '0')}`,
      ...(i % 1000 === 7
        ? { status: 'Failed', finishAt: '0s' }
        : { status: 'Succeeded', finishAt: '0s' }),
    }));
    sim.setJob({
      id: 'huge',
      tasks,
      timeline: [{ at: '0s', status: 'Failed', reason: '3 clusters failed' }],
    });
    await h.create('huge', { jobIDs: ['huge'] });
    const obj = await h.waitFor('huge', (o) => {
      expect(o.status?.phase).to.equal('Failed');
    });
    const job = obj.status?.jobs?.[0];
    expect(job?.taskSummary).to.deep.equal({
      total: 3000,
      succeeded: 2997,
      failed: 3,
      running: 0,
      other: 0,
    });
    expect(job?.tasks).to.have.length(100);
    expect(job?.tasksTruncated).to.equal(true);
    expect(
      job?.tasks?.filter((t) => t.status?.status === 'Failed').map((t) => t.target),
    ).to.deep.equal(['cluster-0007', 'cluster-1007', 'cluster-2007']);
  });

  it('polls a job shared by two resources once per interval, and writes nothing while nothing changes', async () => {
    sim.setJob({ id: 'shared', timeline: [{ at: '0s', status: 'Running' }] });
    await h.create('shared-a', { jobIDs: ['shared'], pollInterval: '5s' });
    await h.create('shared-b', { jobIDs: ['shared'], pollInterval: '5s' });
    const a = await h.waitFor('shared-a', (o) => {
      expect(o.status?.phase).to.equal('Running');
    });
    const b = await h.waitFor('shared-b', (o) => {
      expect(o.status?.phase).to.equal('Running');
    });
    const before = sim.requestCount('shared');
    await sleep(15_500);
    const calls = sim.requestCount('shared') - before;
    // Three 5 s intervals: one call each for both resources together (±1 for jitter at the edges).
    expect(calls).to.be.within(2, 4);
    const [a2, b2] = [await h.get('shared-a'), await h.get('shared-b')];
    expect(a2.metadata.resourceVersion, 'no status write while nothing changed').to.equal(
      a.metadata.resourceVersion,
    );
    expect(b2.metadata.resourceVersion).to.equal(b.metadata.resourceVersion);
  });

  it('shows a shared job’s new data on every resource naming it as soon as one of them fetched it', async () => {
    sim.setJob({
      id: 'shared-news',
      timeline: [
        { at: '0s', status: 'Running' },
        { at: '8s', status: 'Succeeded' },
      ],
    });
    await h.create('news-fast', { jobIDs: ['shared-news'], pollInterval: '5s' });
    // Polls once an hour: without the fast one's news it would show Running for an hour.
    await h.create('news-slow', { jobIDs: ['shared-news'], pollInterval: '1h' });
    for (const name of ['news-fast', 'news-slow'])
      await h.waitFor(name, (o) => {
        expect(o.status?.jobs?.[0]?.phase).to.equal('Running');
      });
    const fast = await h.waitFor(
      'news-fast',
      (o) => {
        expect(o.status?.phase).to.equal('Succeeded');
      },
      20_000,
    );
    const slow = await h.waitFor(
      'news-slow',
      (o) => {
        expect(o.status?.phase).to.equal('Succeeded');
      },
      5_000,
    );
    const readySince = (o: PolicyJobWatch): number =>
      Date.parse(String(o.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime));
    const [fastAt, slowAt] = [readySince(fast), readySince(slow)];
    expect(Math.abs(slowAt - fastAt), 'ms between the two resources').to.be.below(2000);
  });

  it('does not poll finished jobs, until asked with the requested-at annotation', async () => {
    await h.waitFor('seed', (o) => {
      expect(o.status?.phase).to.equal('Succeeded');
    });
    const before = sim.requestCount(SEED_JOB_ID);
    await sleep(6_000);
    expect(sim.requestCount(SEED_JOB_ID)).to.equal(before);
    await h.patch('seed', {
      metadata: { annotations: { 'ucs.policyjobwatch.io/requested-at': 'now-1' } },
    });
    await h.waitFor('seed', (o) => {
      expect(o.status?.lastHandledRequestedAt).to.equal('now-1');
    });
    expect(sim.requestCount(SEED_JOB_ID)).to.be.greaterThan(before);
  });

  it('stops polling when suspended and says so', async () => {
    sim.setJob({ id: 'paused', timeline: [{ at: '0s', status: 'Running' }] });
    await h.create('paused', { jobIDs: ['paused'], pollInterval: '5s' });
    await h.waitFor('paused', (o) => {
      expect(o.status?.phase).to.equal('Running');
    });
    await h.patch('paused', { spec: { suspend: true } });
    const obj = await h.waitFor('paused', (o) => {
      expectCondition(o, 'Ready', 'False', 'Suspended');
    });
    expect(obj.status?.jobs?.[0]?.name, 'the last known data stays').to.be.a('string');
    const before = sim.requestCount('paused');
    await sleep(6_000);
    expect(sim.requestCount('paused')).to.equal(before);
  });

  it('refuses an endpoint outside --allowed-endpoints', async () => {
    await h.create('elsewhere', {
      jobIDs: ['x'],
      endpoint: 'https://ucs-intl.myhuaweicloud.com',
      credentialsRef: { name: 'late' },
    });
    const obj = await h.waitFor('elsewhere', (o) => {
      expectCondition(o, 'Stalled', 'True', 'EndpointNotAllowed');
    });
    expect(condition(obj, 'Stalled')?.message).to.include('--allowed-endpoints');
  });

  it('serves readiness, health and controller-runtime metrics', async () => {
    const op = h.operator!;
    const get = async (port: number | undefined, path: string) => {
      const res = await fetch(`http://127.0.0.1:${String(port)}${path}`);
      return { status: res.status, body: await res.text() };
    };
    expect((await get(op.healthPort, '/healthz')).status).to.equal(200);
    expect((await get(op.healthPort, '/readyz')).status).to.equal(200);
    const metrics = (await get(op.metricsPort, '/metrics')).body;
    expect(metrics).to.match(
      /controller_runtime_reconcile_total\{controller="policyjobwatch",result="success"\} \d+/,
    );
    expect(metrics).to.match(/workqueue_adds_total\{name="policyjobwatch"\} \d+/);
    expect(metrics).to.match(/ucs_api_requests_total\{code="200"\} \d+/);
    expect(metrics).to.match(/ucs_api_requests_total\{code="404"\} \d+/);
    expect(metrics).to.match(/policyjobwatch_jobs\{phase="Succeeded"\} [1-9]\d*/);
  });

  it('never logs a credential', () => {
    const logs = h.logs.join('');
    expect(logs.length).to.be.greaterThan(0);
    for (const secret of SECRET_VALUES) expect(logs).not.to.include(secret);
  });
});
