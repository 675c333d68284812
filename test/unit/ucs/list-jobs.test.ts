import { expect } from 'chai';
import {
  MAX_LISTED_JOBS,
  UcsTransport,
  parseJobList,
  type ListJobsResult,
} from '../../../src/ucs/index.js';
import { SEED_BODY, reply, startServer, type Handler, type LocalServer } from './local-servers.js';

const TOKEN = { kind: 'token', token: 'tok-abcdef' } as const;
const SEED = JSON.parse(SEED_BODY) as { metadata: { uid: string } };

const job = (uid: string, created: string, extra: Record<string, unknown> = {}) => ({
  metadata: { uid, creationTimestamp: created },
  spec: { type: 'UpdateConstraint', extendParam: { constraintID: 'c1' }, taskList: [] },
  status: { status: 'Running' },
  ...extra,
});

describe('ucs client: listJobs over real HTTP', () => {
  let server: LocalServer | undefined;
  let transport: UcsTransport | undefined;

  async function serve(handler: Handler) {
    server = await startServer(handler);
    transport = new UcsTransport({ qps: Infinity });
    return { server, client: transport.client(server.url, TOKEN) };
  }

  afterEach(async () => {
    transport?.close();
    await server?.close();
    server = undefined;
    transport = undefined;
  });

  it('GETs /v1/policy/jobs?kind=K with the same auth, and parses items newest first', async () => {
    const body = JSON.stringify({
      kind: 'List',
      items: [JSON.parse(SEED_BODY), job('newer', '2099-01-01T00:00:00Z')],
    });
    const { server, client } = await serve((_req, res) => {
      reply(res, 200, body, { 'X-Request-Id': 'req-7' });
    });
    const result = await client.listJobs('Update Constraint&x');
    if (!result.ok) throw new Error(result.error.message);
    expect(result.requestID).to.equal('req-7');
    expect(result.list.items.map((i) => i.id)).to.deep.equal(['newer', SEED.metadata.uid]);
    expect(result.list.items[1]?.job?.status?.status).to.equal('Succeeded');
    const [req] = server.requests;
    expect(req?.url).to.equal('/v1/policy/jobs?kind=Update%20Constraint%26x');
    expect(req?.headers['x-auth-token']).to.equal('tok-abcdef');
  });

  const errorCases: { status: number; body: string; reason: string }[] = [
    { status: 401, body: '{"error_code":"UCS.00000401","error_msg":"no"}', reason: 'Unauthorized' },
    { status: 403, body: '{"error_code":"UCS.00000403","error_msg":"no"}', reason: 'Forbidden' },
    { status: 429, body: '{}', reason: 'Throttled' },
    { status: 503, body: 'down', reason: 'Unavailable' },
    { status: 200, body: '{"items": {}}', reason: 'InvalidResponse' },
    { status: 200, body: '{"kind":"List"}', reason: 'InvalidResponse' },
    { status: 200, body: '[1,2]', reason: 'InvalidResponse' },
    { status: 200, body: '{"items": [', reason: 'InvalidResponse' },
  ];
  for (const { status, body, reason } of errorCases) {
    it(`HTTP ${status} ${body.slice(0, 20)} is ${reason}, a value, never a throw`, async () => {
      const { client } = await serve((_req, res) => {
        reply(res, status, body);
      });
      const result: ListJobsResult = await client.listJobs('EnablePolicy');
      expect(result.ok).to.equal(false);
      if (!result.ok) {
        expect(result.error.reason).to.equal(reason);
        expect(result.error.message).not.to.include('tok-abcdef');
      }
    });
  }

  it('refuses an empty kind without a request', async () => {
    const { server, client } = await serve((_req, res) => {
      reply(res, 200, '{"items":[]}');
    });
    const result = await client.listJobs('');
    expect(result.ok ? 'ok' : result.error.reason).to.equal('InvalidRequest');
    expect(server.requests).to.have.length(0);
  });
});

describe('parseJobList', () => {
  const parse = (value: unknown) => {
    const result = parseJobList(JSON.stringify(value));
    if (!result.ok) throw new Error(result.message);
    return result.list;
  };

  it('null items is an empty list (Go’s empty slice)', () => {
    expect(parse({ items: null }).items).to.deep.equal([]);
  });

  it('skips items without a watchable ID, keeps an odd-shaped one for selection without its job', () => {
    const list = parse({
      items: [
        job('ok', '2026-01-01T00:00:00Z'),
        { metadata: { uid: 'a/b' } },
        { metadata: 'x' },
        42,
        job('odd', '2026-01-02T00:00:00Z', { status: { status: { nested: true } } }),
      ],
    });
    expect(
      list.items.map((i) => `${i.id}:${i.job === undefined ? 'no job' : 'job'}`),
    ).to.deep.equal(['odd:no job', 'ok:job']);
    expect(list.skipped).to.equal(3);
  });

  it('orders newest first by creationTimestamp across offsets, unreadable times last', () => {
    const list = parse({
      items: [
        job('none', 'soon'),
        job('a', '2026-01-01T08:00:00+08:00'),
        job('b', '2026-01-01T00:00:00.5Z'),
      ],
    });
    expect(list.items.map((i) => i.id)).to.deep.equal(['b', 'a', 'none']);
  });

  it('keeps match fields as bounded text: non-strings as compact JSON, long values cut', () => {
    const [item] = parse({
      items: [
        job('a', '2026-01-01T00:00:00Z', {
          spec: { extendParam: { n: 3, b: true, o: { x: [1] }, long: 'x'.repeat(5000) } },
        }),
      ],
    }).items;
    expect(item?.extendParam).to.deep.include({ n: '3', b: 'true', o: '{"x":[1]}' });
    expect(item?.extendParam?.long).to.have.length(1025);
  });

  it(`keeps at most ${MAX_LISTED_JOBS} items, the newest`, () => {
    const items = Array.from({ length: MAX_LISTED_JOBS + 5 }, (_, i) =>
      job(`j${i}`, new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString()),
    );
    const list = parse({ items });
    expect(list.items).to.have.length(MAX_LISTED_JOBS);
    expect(list.items[0]?.id).to.equal(`j${MAX_LISTED_JOBS + 4}`);
    expect(list.skipped).to.equal(5);
  });
});
