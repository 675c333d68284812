import { expect } from 'chai';
import { SimClock, UcsSimulator } from '../../../src/ucs-sim/index.js';
import { admin, getJob, send, SEED_ID, UUID } from './sim-http.js';
import { sleep } from '../../../harness/eventually.js';

const OTHER = 'other-job';

describe('ucs-sim: faults', () => {
  let sim: UcsSimulator;

  beforeEach(async () => {
    const clock = new SimClock();
    clock.freeze();
    sim = await UcsSimulator.start({ clock, scenario: { jobs: [{ seed: true }, { id: OTHER }] } });
  });

  afterEach(async () => {
    await sim.stop();
  });

  it('adds latency, globally or for one job', async () => {
    const slow = await UcsSimulator.start({ latencyMs: 150 });
    try {
      const started = performance.now();
      expect((await getJob(slow.url, SEED_ID)).status).to.equal(200);
      expect(performance.now() - started).to.be.at.least(140);
    } finally {
      await slow.stop();
    }
    sim.setFault({ job: OTHER, latency: '200ms' });
    let started = performance.now();
    await getJob(sim.url, SEED_ID);
    expect(performance.now() - started).to.be.below(150);
    started = performance.now();
    await getJob(sim.url, OTHER);
    expect(performance.now() - started).to.be.at.least(190);
  });

  it('answers 500 with a UCS error body', async () => {
    sim.setFault({ errorRate: 1 });
    const res = await getJob(sim.url, SEED_ID);
    expect(res.status).to.equal(500);
    expect(JSON.parse(res.body)).to.deep.equal({
      error_code: 'UCS.00000006',
      error_msg: 'Server internal error.',
    });
    expect(res.headers['x-request-id']).to.match(UUID);
  });

  it('throttles with 429 and Retry-After', async () => {
    sim.setFault({ throttleRate: 1, retryAfter: '3s' });
    const res = await getJob(sim.url, SEED_ID);
    expect(res.status).to.equal(429);
    expect(res.headers['retry-after']).to.equal('3');
    const body = JSON.parse(res.body) as Record<string, string>;
    expect(body.error_code).to.equal('APIGW.0308');
    expect(body.request_id).to.equal(res.headers['x-request-id']);
  });

  it('answers 502 with an HTML page, as a proxy does', async () => {
    sim.setFault({ badGatewayRate: 1 });
    const res = await getJob(sim.url, SEED_ID);
    expect(res.status).to.equal(502);
    expect(res.headers['content-type']).to.equal('text/html');
    expect(res.body).to.include('<h1>502 Bad Gateway</h1>');
  });

  it('answers 200 with JSON cut off half way', async () => {
    sim.setFault({ malformedRate: 1 });
    const res = await getJob(sim.url, SEED_ID);
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^application\/json/);
    expect(res.body.startsWith('{"kind":"job"')).to.equal(true);
    expect(() => JSON.parse(res.body) as unknown).to.throw(SyntaxError);
  });

  it('never answers a hanging request: the client gives up, or stop() cuts it', async () => {
    sim.setFault({ hangRate: 1 });
    let error: unknown;
    try {
      await send(sim.url, { path: `/v1/policy/jobs/${SEED_ID}`, timeoutMs: 300 });
    } catch (err) {
      error = err;
    }
    expect((error as Error).name).to.be.oneOf(['TimeoutError', 'AbortError']);
    expect(sim.stats().requests.byStatus).to.deep.equal({ hang: 1 });

    const pending = send(sim.url, { path: `/v1/policy/jobs/${SEED_ID}` }).then(
      () => 'answered',
      () => 'cut',
    );
    await sleep(50);
    const stopped = performance.now();
    await sim.stop();
    expect(await pending).to.equal('cut');
    expect(performance.now() - stopped).to.be.below(1000);
  });

  it('keeps faults to their time window ("500 for the next 30 s")', async () => {
    const added = await admin(sim.url, 'POST', 'faults', { errorRate: 1, for: '30s' });
    expect(added.status).to.equal(201);
    expect((await getJob(sim.url, SEED_ID)).status).to.equal(500);
    sim.clock.advance(29_999);
    expect((await getJob(sim.url, SEED_ID)).status).to.equal(500);
    sim.clock.advance(1);
    expect((await getJob(sim.url, SEED_ID)).status).to.equal(200);
    expect(sim.faults()).to.deep.equal([]);

    sim.setFault({ throttleRate: 1, from: '10s', for: '5s' });
    expect((await getJob(sim.url, SEED_ID)).status).to.equal(200);
    sim.clock.advance(10_000);
    expect((await getJob(sim.url, SEED_ID)).status).to.equal(429);
    sim.clock.advance(5000);
    expect((await getJob(sim.url, SEED_ID)).status).to.equal(200);
  });

  it('scopes faults to one job, and job faults win over global ones', async () => {
    sim.setFault({ job: OTHER, errorRate: 1 });
    expect((await getJob(sim.url, SEED_ID)).status).to.equal(200);
    expect((await getJob(sim.url, OTHER)).status).to.equal(500);
    sim.setFault({ throttleRate: 1 });
    expect((await getJob(sim.url, SEED_ID)).status).to.equal(429);
    expect((await getJob(sim.url, OTHER)).status).to.equal(500);
  });

  it('carries faults inside a job definition', async () => {
    sim.setJob({ id: 'flaky', faults: [{ badGatewayRate: 1, for: '10s' }] });
    expect((await getJob(sim.url, 'flaky')).status).to.equal(502);
    expect((await getJob(sim.url, SEED_ID)).status).to.equal(200);
    sim.clock.advance(10_000);
    expect((await getJob(sim.url, 'flaky')).status).to.equal(200);
  });

  it('hits the IAM API only when asked to', async () => {
    const iam = await UcsSimulator.start({ iamUser: 'u', iamPassword: 'p', iamDomain: 'd' });
    try {
      const login = () =>
        send(iam.url, {
          method: 'POST',
          path: '/v3/auth/tokens',
          body: JSON.stringify({
            auth: {
              identity: {
                methods: ['password'],
                password: { user: { name: 'u', password: 'p', domain: { name: 'd' } } },
              },
              scope: { domain: { name: 'd' } },
            },
          }),
        });
      iam.setFault({ errorRate: 1 });
      expect((await login()).status).to.equal(201);
      iam.setFault({ api: 'iam', throttleRate: 1 });
      expect((await login()).status).to.equal(429);
    } finally {
      await iam.stop();
    }
  });

  it('rolls rates with seeded dice: repeatable, and about as often as asked', async () => {
    const run = async (): Promise<number[]> => {
      const seeded = await UcsSimulator.start({
        randomSeed: 42,
        faults: [{ errorRate: 0.3, throttleRate: 0.2 }],
      });
      try {
        const codes: number[] = [];
        for (let i = 0; i < 200; i += 1) codes.push((await getJob(seeded.url, SEED_ID)).status);
        return codes;
      } finally {
        await seeded.stop();
      }
    };
    const first = await run();
    expect(await run()).to.deep.equal(first);
    const count = (code: number): number => first.filter((c) => c === code).length;
    expect(count(500)).to.be.within(40, 80);
    expect(count(429)).to.be.within(20, 60);
    expect(count(200)).to.be.within(70, 130);
  });

  it('counts faults in the stats', async () => {
    sim.setFault({ errorRate: 1, for: '1s' });
    await getJob(sim.url, SEED_ID);
    sim.clock.advance(1000);
    await getJob(sim.url, SEED_ID);
    const stats = sim.stats();
    expect(stats.requests.faults).to.deep.equal({ error: 1 });
    expect(stats.requests.byStatus).to.deep.equal({ '200': 1, '500': 1 });
    expect(stats.jobs[SEED_ID]).to.equal(2);
  });
});
