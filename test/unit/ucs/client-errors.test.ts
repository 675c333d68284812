import { expect } from 'chai';
import { createHash } from 'node:crypto';
import net from 'node:net';
import {
  UcsTransport,
  USER_AGENT,
  type GetJobResult,
  type RequestEvent,
  type UcsError,
  type UnchangedJob,
} from '../../../src/ucs/index.js';
import { VERSION } from '../../../src/version.js';
import { SEED_BODY, reply, startServer, type Handler, type LocalServer } from './local-servers.js';
import { sleep } from '../../../harness/eventually.js';

const TOKEN = { kind: 'token', token: 'tok-abcdef' } as const;

function expectError(result: GetJobResult | UnchangedJob): UcsError {
  if (result.ok) throw new Error('expected an error, got a job');
  return result.error;
}

describe('ucs client: answers and errors over real HTTP', () => {
  let server: LocalServer | undefined;
  let transport: UcsTransport | undefined;
  const events: RequestEvent[] = [];

  async function serve(
    handler: Handler,
    options: ConstructorParameters<typeof UcsTransport>[0] = {},
  ) {
    server = await startServer(handler);
    transport = new UcsTransport({
      qps: Infinity,
      onRequest: (e) => events.push(e),
      ...options,
    });
    return { server, client: transport.client(server.url, TOKEN) };
  }

  afterEach(async () => {
    transport?.close();
    await server?.close();
    server = undefined;
    transport = undefined;
    events.length = 0;
  });

  it('fetches and parses the seed job, with the request id and our User-Agent', async () => {
    const { server, client } = await serve((_req, res) => {
      reply(res, 200, SEED_BODY, { 'X-Request-Id': 'req-42' });
    });
    const result = await client.getJob('c7678551-1f7e-4699-9ea1-3baa2d32f552');
    if (!result.ok) throw new Error(result.error.message);
    expect(result.requestID).to.equal('req-42');
    expect(result.job.status?.status).to.equal('Succeeded');
    expect(result.job.spec?.taskList?.[0]?.spec?.runway).to.equal('parallel');
    const [req] = server.requests;
    expect(req?.method).to.equal('GET');
    expect(req?.url).to.equal('/v1/policy/jobs/c7678551-1f7e-4699-9ea1-3baa2d32f552');
    expect(req?.headers['user-agent']).to.equal(`policyjobwatch/${VERSION}`);
    expect(USER_AGENT).to.equal(`policyjobwatch/${VERSION}`);
    expect(req?.headers['x-auth-token']).to.equal('tok-abcdef');
    expect(req?.headers.accept).to.equal('application/json');
    expect(events).to.have.length(1);
    expect(events[0]).to.include({ endpoint: server.url, code: '200', operation: 'ShowPolicyJob' });
    expect(events[0]?.durationSeconds).to.be.within(0, 5);
  });

  const statusCases: {
    name: string;
    status: number;
    body: string;
    headers?: Record<string, string>;
    expected: Partial<UcsError>;
    messageIncludes: string[];
  }[] = [
    {
      name: '400 {error_code, error_msg}',
      status: 400,
      body: '{"error_code":"UCS.00000001","error_msg":"Failed to obtain the user information."}',
      expected: {
        reason: 'InvalidRequest',
        code: 'UCS.00000001',
        retryable: false,
        httpStatus: 400,
      },
      messageIncludes: ['HTTP 400', 'UCS.00000001', 'Failed to obtain the user information.'],
    },
    {
      name: '401 with a token',
      status: 401,
      body: '{"error_code":"UCS.00000018","error_msg":"Authorization failed."}',
      expected: { reason: 'Unauthorized', code: 'UCS.00000018', retryable: false },
      messageIncludes: ['Authorization failed.'],
    },
    {
      name: '403 {error: {code, message}}',
      status: 403,
      body: '{"error":{"code":"UCS.00010014","message":"iam pdp authentication denied"}}',
      expected: { reason: 'Forbidden', code: 'UCS.00010014', retryable: false },
      messageIncludes: ['iam pdp authentication denied'],
    },
    {
      name: '404',
      status: 404,
      body: '{"error_code":"UCS.00000013","error_msg":"No requested resources found."}',
      expected: { reason: 'JobNotFound', code: 'UCS.00000013', retryable: false, httpStatus: 404 },
      messageIncludes: ['No requested resources found.'],
    },
    {
      name: '429 with Retry-After seconds',
      status: 429,
      body: '{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached"}',
      headers: { 'Retry-After': '7' },
      expected: { reason: 'Throttled', retryable: true, retryAfterSeconds: 7, code: 'APIGW.0308' },
      messageIncludes: ['throttling threshold'],
    },
    {
      name: '429 with a Retry-After HTTP-date',
      status: 429,
      body: '',
      headers: { 'Retry-After': new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString() },
      expected: { reason: 'Throttled', retryable: true, retryAfterSeconds: 30 },
      messageIncludes: ['HTTP 429', 'empty body'],
    },
    {
      name: '500 database error',
      status: 500,
      body: '{"error_code":"UCS.00000005","error_msg":"Database operation failed."}',
      expected: { reason: 'Unavailable', retryable: true, code: 'UCS.00000005' },
      messageIncludes: ['Database operation failed.'],
    },
    {
      name: '502 gateway HTML page',
      status: 502,
      body:
        '<!DOCTYPE html><html><head><title>x</title><style>body{color:red}</style></head><body><h1>502 Bad Gateway</h1>' +
        '<script>var a = "<b>";</script><p>nginx &amp; friends</p></body></html>',
      headers: { 'Content-Type': 'text/html' },
      expected: { reason: 'Unavailable', retryable: true, httpStatus: 502 },
      messageIncludes: ['502 Bad Gateway nginx & friends'],
    },
    {
      name: '503 long text',
      status: 503,
      body: 'overloaded '.repeat(200),
      headers: { 'Content-Type': 'text/plain', 'Retry-After': '120' },
      expected: { reason: 'Unavailable', retryable: true, retryAfterSeconds: 120 },
      messageIncludes: ['overloaded overloaded', '…'],
    },
    {
      name: '200 that is not JSON',
      status: 200,
      body: '<html>maintenance</html>',
      expected: { reason: 'InvalidResponse', retryable: true, httpStatus: 200 },
      messageIncludes: ['not JSON'],
    },
    {
      name: '200 with a JSON array',
      status: 200,
      body: '[]',
      expected: { reason: 'InvalidResponse', httpStatus: 200 },
      messageIncludes: ['not an object (an array)'],
    },
    {
      name: '200 with null',
      status: 200,
      body: 'null',
      expected: { reason: 'InvalidResponse' },
      messageIncludes: ['not an object (null)'],
    },
    {
      name: '200 with a wrong container',
      status: 200,
      body: '{"spec":{"taskList":"x"}}',
      expected: { reason: 'InvalidResponse' },
      messageIncludes: ['spec.taskList'],
    },
    {
      name: '302 redirect (not followed)',
      status: 302,
      body: '',
      headers: { Location: 'http://elsewhere.example/steal' },
      expected: { reason: 'InvalidResponse', retryable: false, httpStatus: 302 },
      messageIncludes: ['redirects are not followed', 'elsewhere.example'],
    },
  ];

  for (const c of statusCases) {
    it(`classifies ${c.name}`, async () => {
      const { server, client } = await serve(
        (_req, res) => {
          res.writeHead(c.status, { 'X-Request-Id': 'req-7', ...c.headers });
          res.end(c.body);
        },
        { now: () => Date.UTC(2030, 0, 1, 0, 0, 0) },
      );
      const error = expectError(await client.getJob('job-1'));
      expect(error).to.include({ requestID: 'req-7', ...c.expected });
      for (const text of c.messageIncludes) expect(error.message).to.include(text);
      expect(error.message.length).to.be.below(420);
      expect(error.message).not.to.match(/<[a-z]/i);
      expect(server.requests, 'no retries').to.have.length(1);
      expect(events[0]?.code).to.equal(String(c.status));
    });
  }

  it('answers UnchangedJob, without parsing, when the body has the digest the caller holds', async () => {
    let body = SEED_BODY;
    const { server, client } = await serve((_req, res) => {
      reply(res, 200, body, { 'X-Request-Id': 'req-7' });
    });
    const id = 'c7678551-1f7e-4699-9ea1-3baa2d32f552';
    const first = await client.getJob(id);
    if (!first.ok) throw new Error(first.error.message);
    expect(first.digest).to.equal(createHash('sha256').update(SEED_BODY).digest('base64url'));
    expect(await client.getJob(id, first.digest)).to.deep.equal({
      ok: true,
      unchanged: true,
      digest: first.digest,
      requestID: 'req-7',
    });
    expect(await client.getJob(id, 'another-digest'), 'another digest: the whole job')
      .to.have.property('job')
      .that.deep.equals(first.job);
    body = SEED_BODY.replaceAll('"Succeeded"', '"Running"');
    const changed = await client.getJob(id, first.digest);
    if (!changed.ok || 'unchanged' in changed) throw new Error('expected the changed job');
    expect(changed.job.status?.status).to.equal('Running');
    expect(changed.digest).to.not.equal(first.digest);
    body = 'not json';
    expect(
      expectError(await client.getJob(id, first.digest)).reason,
      'a broken body is still refused',
    ).to.equal('InvalidResponse');
    expect(server.requests).to.have.length(5);
  });

  it('pauses every call with the same endpoint and credentials after a 429 with Retry-After', async () => {
    let clock = Date.UTC(2030, 0, 1);
    let throttle = true;
    const { server, client } = await serve(
      (_req, res) => {
        if (throttle) {
          reply(
            res,
            429,
            { error_code: 'APIGW.0308', error_msg: 'over ratelimit' },
            { 'Retry-After': '30' },
          );
        } else {
          reply(res, 200, SEED_BODY);
        }
      },
      { now: () => clock },
    );
    const first = expectError(await client.getJob('job-1'));
    expect(first).to.include({ reason: 'Throttled', retryAfterSeconds: 30, retryable: true });
    throttle = false;
    clock += 10_000;
    // Other jobs (other resources) with the same credentials wait too: nothing is sent.
    for (const id of ['job-2', 'job-3', 'job-1']) {
      const paused = expectError(await client.getJob(id));
      expect(paused).to.include({ reason: 'Throttled', retryAfterSeconds: 20, retryable: true });
      expect(paused.message).to.include('wait until 2030-01-01T00:00:30.000Z');
    }
    expect(server.requests).to.have.length(1);
    // Other credentials are not held back.
    expect(
      (await transport!.client(server.url, { kind: 'token', token: 'other-tok' }).getJob('job-2'))
        .ok,
    ).to.be.true;
    clock += 20_000;
    expect((await client.getJob('job-2')).ok).to.be.true;
    expect(server.requests).to.have.length(3);
  });

  it('takes the request id from the body when the header is missing', async () => {
    const { client } = await serve((_req, res) => {
      reply(res, 500, { error_code: 'APIGW.0101', error_msg: 'no', request_id: 'body-id' });
    });
    expect(expectError(await client.getJob('j'))).to.include({ requestID: 'body-id' });
  });

  it('reports a refused connection as Unavailable', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer();
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address() as net.AddressInfo;
        probe.close(() => {
          resolve(address.port);
        });
      });
    });
    transport = new UcsTransport({ qps: Infinity, onRequest: (e) => events.push(e) });
    const error = expectError(
      await transport.client(`http://127.0.0.1:${port}`, TOKEN).getJob('j'),
    );
    expect(error).to.include({ reason: 'Unavailable', retryable: true });
    expect(error.httpStatus).to.equal(undefined);
    expect(error.message).to.include('ECONNREFUSED');
    expect(events[0]?.code).to.equal('error');
  });

  it('gives up on a server that does not answer within the time-out', async () => {
    const { client } = await serve(() => undefined, { timeoutMs: 200 });
    const started = Date.now();
    const error = expectError(await client.getJob('j'));
    expect(Date.now() - started).to.be.within(150, 2000);
    expect(error).to.include({ reason: 'Unavailable', retryable: true });
    expect(error.message).to.include('did not answer within 200 ms');
  });

  it('bounds the whole exchange, not just each read (a trickling body)', async () => {
    const { client } = await serve(
      async (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        for (let i = 0; i < 20 && !res.destroyed; i++) {
          res.write(' ');
          await sleep(50);
        }
        res.end('{}');
      },
      { timeoutMs: 300 },
    );
    const started = Date.now();
    const error = expectError(await client.getJob('j'));
    expect(Date.now() - started).to.be.below(900);
    expect(error.reason).to.equal('Unavailable');
  });

  it('refuses answers larger than maxResponseBytes', async () => {
    const { client } = await serve(
      (_req, res) => {
        reply(res, 200, JSON.stringify({ kind: 'job', padding: 'x'.repeat(5000) }));
      },
      { maxResponseBytes: 1000 },
    );
    const error = expectError(await client.getJob('j'));
    expect(error).to.include({ reason: 'InvalidResponse' });
    expect(error.message).to.include('more than 1000 bytes');
  });

  it('rejects a bad endpoint or empty credentials without sending anything', async () => {
    transport = new UcsTransport({ qps: Infinity });
    for (const endpoint of ['not a url', 'ftp://x', 'https://u:p@ucs.example', 'https://h/?q=1']) {
      const error = expectError(await transport.client(endpoint, TOKEN).getJob('j'));
      expect(error, endpoint).to.include({ reason: 'InvalidRequest', retryable: false });
      expect(error.message).not.to.include('u:p');
    }
    const error = expectError(
      await transport
        .client('https://ucs.example', { kind: 'aksk', accessKey: 'AK', secretKey: ' ' })
        .getJob('j'),
    );
    expect(error.message).to.equal('credentials lack secretKey');
  });
});
