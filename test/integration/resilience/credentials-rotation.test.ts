import { expect } from 'chai';
import type { UcsSimulator } from '../../../src/ucs-sim/index.js';
import { eventually } from '../../../harness/eventually.js';
import { OperatorHarness } from '../../support/operator-harness.js';
import { condition } from '../../support/policyjobwatch-client.js';

const NS = 'fault-credentials';
const TOKEN = 'rotation-token-2d7c41';
const AK = 'AKROTATION0042';
const SK = 'sk-rotation-secret-8e1f0b';
const SECRET_TTL_MS = 5_000;
const POLL_MS = 5_000;

describe('resilience: the credentials Secret is rotated from a token to AK/SK', function () {
  this.timeout(90_000);
  const h = new OperatorHarness(NS);
  let sim: UcsSimulator;

  before(async () => {
    sim = await h.startWithSimulator({
      sim: { token: TOKEN, ak: AK, sk: SK },
      iam: true,
      flags: { pollInterval: `${String(POLL_MS / 1000)}s`, ucsQps: '100', ucsBurst: '200' },
    });
    sim.setJob({
      id: 'rotated',
      tasks: [{ target: 'c1' }],
      timeline: [{ at: '0s', status: 'Running' }],
    });
  });

  after(async () => {
    await h.stop();
  });

  it('uses the new credentials for the next fetches, without a restart', async () => {
    await h.create('rotated', { jobIDs: ['rotated'] });
    await h.waitFor('rotated', (o) => {
      expect(o.status?.phase).to.equal('Running');
    });
    expect(sim.stats().requests.byAuth.token ?? 0).to.be.greaterThan(0);
    expect(sim.stats().requests.byAuth.aksk ?? 0).to.equal(0);

    const rotatedAt = Date.now();
    await h.secret('ucs-credentials', { accessKey: AK, secretKey: SK });
    await eventually(
      () => {
        expect(sim.stats().requests.byAuth.aksk ?? 0).to.be.greaterThan(0);
      },
      { timeoutMs: SECRET_TTL_MS + 2 * POLL_MS + 2_000, intervalMs: 100 },
    );
    const tookMs = Date.now() - rotatedAt;
    // The Secret is cached for 5 s and the job is fetched every poll interval (+10% jitter).
    expect(tookMs, 'first AK/SK request after the rotation').to.be.at.most(
      SECRET_TTL_MS + 1.1 * POLL_MS + 1_500,
    );

    // The old token stops working; nothing may use it any more.
    const tokenCalls = sim.stats().requests.byAuth.token ?? 0;
    expect(sim.revokeTokens(TOKEN)).to.equal(1);
    sim.setJobStatus('rotated', { status: 'Succeeded', tasks: { c1: { status: 'Succeeded' } } });
    const done = await h.waitFor(
      'rotated',
      (o) => {
        expect(condition(o, 'Ready')?.reason).to.equal('JobsSucceeded');
      },
      3 * POLL_MS,
    );
    expect(done.status?.jobs?.[0]?.lastError).to.equal(undefined);
    const stats = sim.stats().requests;
    expect(stats.byAuth.token ?? 0, 'token requests after AK/SK was in use').to.equal(tokenCalls);
    expect(stats.rejectedByReason, 'no request was rejected').to.deep.equal({});
  });

  it('never logs a credential', () => {
    const logs = h.logs.join('');
    expect(logs.length).to.be.greaterThan(0);
    for (const secret of [TOKEN, SK]) expect(logs).not.to.include(secret);
  });
});
