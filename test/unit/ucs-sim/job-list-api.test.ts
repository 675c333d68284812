import { expect } from 'chai';
import { SimClock, UcsSimulator } from '../../../src/ucs-sim/index.js';
import { DEFAULT_LIST_KIND, listKindOf, renderJobList } from '../../../src/ucs-sim/job-list-api.js';
import { admin, getJob, send, SEED_ID, type RawResponse } from './sim-http.js';

const TOKEN = 'list-test-token';

function list(url: string, query = '', token = TOKEN): Promise<RawResponse> {
  return send(url, { path: `/v1/policy/jobs${query}`, headers: { 'X-Auth-Token': token } });
}

interface ListBody {
  items: {
    metadata: { uid: string };
    spec: Record<string, unknown>;
    status: { status?: string };
  }[];
  kind: string;
  apiVersion: string;
}

function listBody(res: RawResponse): ListBody {
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${res.body}`);
  return JSON.parse(res.body) as ListBody;
}

describe('ucs-sim: the job list (GET /v1/policy/jobs?kind=)', () => {
  describe('pure parts', () => {
    const kinds: [string, string][] = [
      ['', DEFAULT_LIST_KIND],
      ['kind=', DEFAULT_LIST_KIND],
      ['kind=PolicyInstance', 'PolicyInstance'],
      ['other=1&kind=Enable%20Policy', 'Enable Policy'],
    ];
    for (const [query, kind] of kinds) {
      it(`reads the kind of "?${query}" as ${kind}`, () => {
        expect(listKindOf(query)).to.equal(kind);
      });
    }

    it('renders items, kind and apiVersion around job bodies as they are', () => {
      const body = renderJobList(['{"a":1}', '{"b":2}']);
      expect(JSON.parse(body)).to.deep.equal({
        items: [{ a: 1 }, { b: 2 }],
        kind: 'List',
        apiVersion: 'v1',
      });
      expect(JSON.parse(renderJobList([]))).to.deep.include({ items: [] });
    });
  });

  describe('served', () => {
    let sim: UcsSimulator;
    let clock: SimClock;

    beforeEach(async () => {
      clock = new SimClock();
      clock.freeze();
      sim = await UcsSimulator.start({
        token: TOKEN,
        clock,
        scenario: {
          jobs: [
            { seed: true },
            {
              id: 'rollout-1',
              type: 'UpdateConstraint',
              operation: 'create',
              extendParam: { constraintID: 'c-1' },
              relatedObjects: { policyInstance: 'p-1' },
              finishAt: '30s',
              tasks: [{ target: 'cluster-a' }],
            },
            { id: 'later', createdAt: '1m', finishAt: '2m' },
            { id: 'instance-job', listKind: 'PolicyInstance', finishAt: '5s' },
          ],
        },
      });
    });

    afterEach(async () => {
      await sim.stop();
    });

    it('lists the jobs of the default kind that exist now, each as the single GET answers it', async () => {
      const body = listBody(await list(sim.url));
      expect(body.items.map((j) => j.metadata.uid)).to.deep.equal([SEED_ID, 'rollout-1']);
      const single = await getJob(sim.url, 'rollout-1', { 'X-Auth-Token': TOKEN });
      expect(body.items[1]).to.deep.equal(JSON.parse(single.body));
      expect(body.items[1]?.spec).to.deep.include({
        type: 'UpdateConstraint',
        operation: 'create',
        extendParam: { constraintID: 'c-1' },
        relatedObjects: { policyInstance: 'p-1' },
      });
      expect(body.items[1]?.status.status).to.equal('Running');
    });

    it('follows the timeline: jobs appear at createdAt and change status', async () => {
      clock.advance(90_000);
      const body = listBody(await list(sim.url, '?kind=EnablePolicy'));
      expect(body.items.map((j) => [j.metadata.uid, j.status.status])).to.deep.equal([
        [SEED_ID, 'Succeeded'],
        ['rollout-1', 'Succeeded'],
        ['later', 'Running'],
      ]);
    });

    it('lists other kinds apart, and an unknown kind as empty', async () => {
      const instances = listBody(await list(sim.url, '?kind=PolicyInstance'));
      expect(instances.items.map((j) => j.metadata.uid)).to.deep.equal(['instance-job']);
      expect(listBody(await list(sim.url, '?kind=Nothing')).items).to.deep.equal([]);
      expect(listBody(await list(sim.url, '/')).items).to.have.length(2);
    });

    it('counts list calls by kind, whatever their outcome, in stats and on the simulator', async () => {
      await list(sim.url);
      await list(sim.url, '?kind=EnablePolicy');
      await list(sim.url, '?kind=PolicyInstance');
      await list(sim.url, '', 'wrong-token');
      expect(sim.listRequestCount()).to.equal(3);
      expect(sim.listRequestCount('PolicyInstance')).to.equal(1);
      expect(sim.listRequestCount('Nothing')).to.equal(0);
      const stats = await admin(sim.url, 'GET', 'stats');
      expect(stats.json).to.deep.nested.include({
        'lists.EnablePolicy': 3,
        'lists.PolicyInstance': 1,
      });
      expect((stats.json as { jobs: Record<string, number> }).jobs).to.deep.equal({});
      sim.resetStats();
      expect(sim.listRequestCount()).to.equal(0);
    });

    it('refuses a request without valid credentials, as the single GET does', async () => {
      const res = await list(sim.url, '', 'wrong-token');
      expect(res.status).to.equal(401);
      expect(JSON.parse(res.body)).to.deep.equal({
        error_code: 'UCS.00000018',
        error_msg: 'Authorization failed.',
      });
      const none = await send(sim.url, { path: '/v1/policy/jobs' });
      expect(none.status).to.equal(401);
    });

    it('answers other methods on the list path as APIG does for an unknown API', async () => {
      const res = await send(sim.url, {
        method: 'PATCH',
        path: '/v1/policy/jobs',
        headers: { 'X-Auth-Token': TOKEN },
      });
      expect(res.status).to.equal(404);
      expect(JSON.parse(res.body)).to.deep.include({ error_code: 'APIGW.0101' });
    });

    it('takes faults scoped to the list call: 500, 429 with Retry-After, a cut-off body', async () => {
      const error = sim.setFault({ call: 'list', errorRate: 1 });
      expect((await list(sim.url)).status).to.equal(500);
      expect((await getJob(sim.url, SEED_ID, { 'X-Auth-Token': TOKEN })).status).to.equal(200);
      sim.removeFault(error.id);

      const throttle = await admin(sim.url, 'POST', 'faults', {
        call: 'list',
        throttleRate: 1,
        retryAfter: '7s',
      });
      expect(throttle.status).to.equal(201);
      const throttled = await list(sim.url);
      expect(throttled.status).to.equal(429);
      expect(throttled.headers['retry-after']).to.equal('7');
      sim.clearFaults();

      sim.setFault({ call: 'list', malformedRate: 1 });
      const cut = await list(sim.url);
      expect(cut.status).to.equal(200);
      expect(cut.body.startsWith('{"items":[')).to.equal(true);
      expect(() => JSON.parse(cut.body) as unknown).to.throw(SyntaxError);
      expect(sim.stats().requests.faults).to.deep.equal({ error: 1, throttle: 1, malformed: 1 });
    });

    it('takes global faults too, and not job-scoped ones', async () => {
      sim.setFault({ job: 'rollout-1', errorRate: 1 });
      expect((await list(sim.url)).status).to.equal(200);
      sim.setFault({ errorRate: 1 });
      expect((await list(sim.url)).status).to.equal(500);
    });
  });
});
