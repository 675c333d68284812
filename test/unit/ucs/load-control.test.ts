import { expect } from 'chai';
import { UcsTransport, type GetJobResult } from '../../../src/ucs/index.js';
import { sleep } from '../../../harness/eventually.js';
import { SEED_BODY, reply, startServer, type LocalServer } from './local-servers.js';

const TOKEN = { kind: 'token', token: 'tok-load' } as const;

function allOk(results: GetJobResult[]): void {
  for (const r of results) if (!r.ok) throw new Error(`${r.error.reason}: ${r.error.message}`);
}

describe('ucs transport: load control', () => {
  let server: LocalServer | undefined;
  let transport: UcsTransport | undefined;

  afterEach(async () => {
    transport?.close();
    await server?.close();
    server = undefined;
    transport = undefined;
  });

  it('holds N calls at qps Q to about N/Q seconds', async () => {
    server = await startServer((_req, res) => {
      reply(res, 200, SEED_BODY);
    });
    transport = new UcsTransport({ qps: 20, burst: 1, maxConcurrent: 50 });
    const client = transport.client(server.url, TOKEN);
    const started = performance.now();
    allOk(await Promise.all(Array.from({ length: 21 }, (_, i) => client.getJob(`job-${i}`))));
    const seconds = (performance.now() - started) / 1000;
    // 20 intervals of 50 ms after the first token: about 1 s. Order of magnitude only.
    expect(seconds).to.be.within(0.7, 3);
    expect(server.requests).to.have.length(21);
  });

  it('lets a burst through at once, then the rate', async () => {
    server = await startServer((_req, res) => {
      reply(res, 200, SEED_BODY);
    });
    transport = new UcsTransport({ qps: 4, burst: 6, maxConcurrent: 50 });
    const client = transport.client(server.url, TOKEN);
    const started = performance.now();
    allOk(await Promise.all(Array.from({ length: 6 }, (_, i) => client.getJob(`b-${i}`))));
    expect(performance.now() - started).to.be.below(200);
    allOk(await Promise.all(Array.from({ length: 2 }, (_, i) => client.getJob(`c-${i}`))));
    // Two more tokens at 4/s: about half a second.
    expect((performance.now() - started) / 1000).to.be.within(0.35, 2);
  });

  it('shares one rate limit among all clients, endpoints and credentials', async () => {
    server = await startServer((_req, res) => {
      reply(res, 200, SEED_BODY);
    });
    const other = await startServer((_req, res) => {
      reply(res, 200, SEED_BODY);
    });
    try {
      transport = new UcsTransport({ qps: 10, burst: 1, maxConcurrent: 50 });
      const a = transport.client(server.url, TOKEN);
      const b = transport.client(other.url, { kind: 'token', token: 'another' });
      const started = performance.now();
      allOk(
        await Promise.all(
          Array.from({ length: 11 }, (_, i) => (i % 2 === 0 ? a : b).getJob(`s-${i}`)),
        ),
      );
      // 11 calls at 10/s in total, not 10/s each.
      expect((performance.now() - started) / 1000).to.be.within(0.7, 3);
    } finally {
      await other.close();
    }
  });

  it('caps the requests in flight, across all endpoints together', async () => {
    // Two servers: node's agents limit sockets per host, so only the shared cap holds both.
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = async (_req: unknown, res: Parameters<typeof reply>[0]): Promise<void> => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(80);
      inFlight--;
      reply(res, 200, SEED_BODY);
    };
    server = await startServer(slow);
    const other = await startServer(slow);
    try {
      transport = new UcsTransport({ qps: Infinity, maxConcurrent: 3 });
      const a = transport.client(server.url, TOKEN);
      const b = transport.client(other.url, TOKEN);
      const started = performance.now();
      allOk(
        await Promise.all(
          Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).getJob(`c-${i}`)),
        ),
      );
      expect(maxInFlight).to.equal(3);
      // 12 calls, 3 at a time, 80 ms each: at least 4 rounds.
      expect(performance.now() - started).to.be.at.least(300);
    } finally {
      await other.close();
    }
  });

  it('sends one request for concurrent calls of the same job (single-flight)', async () => {
    server = await startServer(async (_req, res) => {
      await sleep(50);
      reply(res, 200, SEED_BODY, { 'X-Request-Id': `r-${server?.requests.length ?? 0}` });
    });
    transport = new UcsTransport({ qps: Infinity });
    const client = transport.client(server.url, TOKEN);
    const results = await Promise.all(Array.from({ length: 10 }, () => client.getJob('same-job')));
    allOk(results);
    expect(server.requests).to.have.length(1);
    expect(new Set(results.map((r) => (r.ok ? r.requestID : '')))).to.deep.equal(new Set(['r-1']));
    // Not a cache: once settled, the next call asks again.
    allOk([await client.getJob('same-job')]);
    expect(server.requests).to.have.length(2);
  });

  it('shares in-flight requests only for the same endpoint, credentials and job', async () => {
    server = await startServer(async (_req, res) => {
      await sleep(50);
      reply(res, 200, SEED_BODY);
    });
    transport = new UcsTransport({ qps: Infinity });
    const url = server.url;
    const calls = [
      transport.client(url, TOKEN).getJob('x'),
      // Same credentials through another client object: shared.
      transport.client(url, { token: 'tok-load', kind: 'token' }).getJob('x'),
      transport.client(url, { kind: 'token', token: 'someone-else' }).getJob('x'),
      transport.client(`${url}/`, TOKEN).getJob('x'),
      transport.client(url, TOKEN).getJob('y'),
    ];
    allOk(await Promise.all(calls));
    expect(server.requests).to.have.length(4);
  });

  it('rejects a nonsensical concurrency cap', () => {
    expect(() => new UcsTransport({ maxConcurrent: 0 })).to.throw(RangeError, 'maxConcurrent');
  });
});
