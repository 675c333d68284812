import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { UcsSimulator } from '../../../src/ucs-sim/index.js';
import { getJob, send, SEED_ID, UUID } from './sim-http.js';

const fixtureUrl = new URL('../../fixtures/seed-job.json', import.meta.url);

/** Every key path in document order, so that two JSON values compare field order too. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keyPaths(v, `${prefix}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [
      `${prefix}.${k}`,
      ...keyPaths(v, `${prefix}.${k}`),
    ]);
  }
  return [];
}

describe('ucs-sim: the seed job and error answers', () => {
  let sim: UcsSimulator;

  before(async () => {
    sim = await UcsSimulator.start({ port: 0, host: '127.0.0.1' });
  });

  after(async () => {
    await sim.stop();
  });

  it("serves the API page's example response exactly, field order included", async () => {
    const fixture = JSON.parse(await readFile(fixtureUrl, 'utf8')) as unknown;
    const res = await getJob(sim.url, SEED_ID);
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^application\/json/);
    const served = JSON.parse(res.body) as unknown;
    expect(served).to.deep.equal(fixture);
    expect(keyPaths(served)).to.deep.equal(keyPaths(fixture));
    expect(res.body).to.equal(JSON.stringify(fixture));
  });

  it('puts a fresh UUID X-Request-Id on every answer', async () => {
    const first = await getJob(sim.url, SEED_ID);
    const second = await getJob(sim.url, 'nope');
    const third = await send(sim.url, { path: '/nowhere' });
    const ids = [first, second, third].map((r) => r.headers['x-request-id']);
    for (const id of ids) expect(id).to.match(UUID);
    expect(new Set(ids).size).to.equal(3);
  });

  it('answers an unknown job with 404 UCS.00000013', async () => {
    const res = await getJob(sim.url, '00000000-0000-4000-8000-000000000000');
    expect(res.status).to.equal(404);
    expect(JSON.parse(res.body)).to.deep.equal({
      error_code: 'UCS.00000013',
      error_msg: 'No requested resources found.',
    });
  });

  it('answers paths and methods UCS does not have as the API gateway does (APIGW.0101)', async () => {
    for (const req of [
      { path: '/v1/policy/jobz' },
      { method: 'POST', path: '/v1/policy/jobs' },
      { path: `/v1/policy/jobs/${SEED_ID}/tasks` },
      { method: 'DELETE', path: `/v1/policy/jobs/${SEED_ID}` },
      { method: 'POST', path: '/v3/auth/tokens', body: '{}' },
    ]) {
      const res = await send(sim.url, req);
      expect(res.status, req.path).to.equal(404);
      const body = JSON.parse(res.body) as Record<string, string>;
      expect(body.error_code).to.equal('APIGW.0101');
      expect(body.request_id).to.equal(res.headers['x-request-id']);
    }
  });

  it('accepts a trailing slash and a query string on the job path', async () => {
    expect((await send(sim.url, { path: `/v1/policy/jobs/${SEED_ID}/` })).status).to.equal(200);
    expect((await send(sim.url, { path: `/v1/policy/jobs/${SEED_ID}?x=1` })).status).to.equal(200);
  });
});
