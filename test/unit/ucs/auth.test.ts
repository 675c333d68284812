import { expect } from 'chai';
import type http from 'node:http';
import {
  UcsTransport,
  canonicalRequest,
  computeSignature,
  parseAuthorization,
  parseSdkDate,
  stringToSign,
  type GetJobResult,
  type PasswordCredentials,
  type RequestEvent,
} from '../../../src/ucs/index.js';
import {
  SEED_BODY,
  reply,
  sleep,
  startServer,
  type LocalServer,
  type RecordedRequest,
} from './local-servers.js';

const HOUR = 3600_000;

function job(result: GetJobResult): void {
  if (!result.ok)
    throw new Error(`expected a job: ${result.error.reason}: ${result.error.message}`);
}

describe('ucs client: authentication', () => {
  let server: LocalServer | undefined;
  let transport: UcsTransport | undefined;

  afterEach(async () => {
    transport?.close();
    await server?.close();
    server = undefined;
    transport = undefined;
  });

  it('sends a token as X-Auth-Token and nothing else', async () => {
    server = await startServer((_req, res) => {
      reply(res, 200, SEED_BODY);
    });
    transport = new UcsTransport({ qps: Infinity });
    job(await transport.client(server.url, { kind: 'token', token: 'user-token-1' }).getJob('j'));
    const headers = server.requests[0]?.headers ?? {};
    expect(headers['x-auth-token']).to.equal('user-token-1');
    expect(headers.authorization).to.equal(undefined);
    expect(headers['x-sdk-date']).to.equal(undefined);
  });

  describe('AK/SK', () => {
    /** What the gateway does: recompute the signature from the request as received. */
    function verify(req: RecordedRequest, secretKey: string): boolean {
      const auth = parseAuthorization(String(req.headers.authorization));
      const date = String(req.headers['x-sdk-date']);
      if (auth === undefined) return false;
      const canonical = canonicalRequest(
        { method: req.method, url: req.url, headers: req.headers, body: req.body },
        auth.signedHeaders,
      );
      return computeSignature(secretKey, stringToSign(canonical, date)) === auth.signature;
    }

    it('signs host and x-sdk-date; the server can verify it from what it received', async () => {
      server = await startServer((req, res) => {
        if (verify(req, 'SECRET-KEY-1')) reply(res, 200, SEED_BODY);
        else
          reply(res, 401, {
            error_code: 'APIGW.0301',
            error_msg: 'Incorrect IAM authentication information',
          });
      });
      transport = new UcsTransport({ qps: Infinity });
      const client = transport.client(server.url, {
        kind: 'aksk',
        accessKey: 'AK1',
        secretKey: 'SECRET-KEY-1',
      });
      job(await client.getJob('c7678551-1f7e-4699-9ea1-3baa2d32f552'));
      job(await client.getJob('odd id/with?chars#and%2e%2e'));
      const req = server.requests[0];
      const auth = parseAuthorization(String(req?.headers.authorization));
      expect(auth?.accessKey).to.equal('AK1');
      expect(auth?.signedHeaders).to.deep.equal(['host', 'x-sdk-date']);
      const sent = parseSdkDate(String(req?.headers['x-sdk-date']));
      expect(Math.abs((sent?.getTime() ?? 0) - Date.now())).to.be.below(5000);
      // A wrong key is noticed (the check above is not vacuous).
      expect(verify(req!, 'OTHER')).to.be.false;
      expect(req?.headers['x-auth-token']).to.equal(undefined);
    });

    it('adds and signs X-Security-Token and X-Domain-Id when given', async () => {
      server = await startServer((req, res) => {
        reply(res, verify(req, 'SK2') ? 200 : 401, verify(req, 'SK2') ? SEED_BODY : '{}');
      });
      transport = new UcsTransport({ qps: Infinity });
      const client = transport.client(server.url, {
        kind: 'aksk',
        accessKey: 'AK2',
        secretKey: 'SK2',
        securityToken: 'sts-token',
        domainID: 'domain-123',
      });
      job(await client.getJob('j'));
      const headers = server.requests[0]?.headers ?? {};
      expect(headers['x-security-token']).to.equal('sts-token');
      expect(headers['x-domain-id']).to.equal('domain-123');
      expect(parseAuthorization(String(headers.authorization))?.signedHeaders).to.deep.equal([
        'host',
        'x-domain-id',
        'x-sdk-date',
        'x-security-token',
      ]);
    });

    it('signs when the request leaves, not when it was queued', async () => {
      let clock = Date.UTC(2030, 0, 1);
      server = await startServer((_req, res) => {
        reply(res, 200, SEED_BODY);
      });
      transport = new UcsTransport({ qps: Infinity, now: () => clock });
      const client = transport.client(server.url, { kind: 'aksk', accessKey: 'A', secretKey: 'S' });
      job(await client.getJob('a'));
      clock += 20 * 60_000;
      job(await client.getJob('b'));
      expect(server.requests.map((r) => r.headers['x-sdk-date'])).to.deep.equal([
        '20300101T000000Z',
        '20300101T002000Z',
      ]);
    });
  });

  describe('IAM password', () => {
    interface IamState {
      issued: string[];
      revoked: Set<string>;
      lifetimeMs: number;
      iamDelayMs: number;
      iamAnswer?: (req: RecordedRequest, res: http.ServerResponse) => void;
    }

    async function startIamAndUcs(state: IamState, clock: () => number): Promise<LocalServer> {
      return startServer(async (req, res) => {
        if (req.url.startsWith('/v3/auth/tokens')) {
          await sleep(state.iamDelayMs);
          if (state.iamAnswer !== undefined) {
            state.iamAnswer(req, res);
            return;
          }
          const token = `iam-token-${state.issued.length + 1}`;
          state.issued.push(token);
          const issuedAt = clock();
          res.writeHead(201, { 'Content-Type': 'application/json', 'X-Subject-Token': token });
          res.end(
            JSON.stringify({
              token: {
                issued_at: new Date(issuedAt).toISOString(),
                expires_at: new Date(issuedAt + state.lifetimeMs).toISOString(),
                methods: ['password'],
              },
            }),
          );
          return;
        }
        const token = String(req.headers['x-auth-token']);
        if (!state.issued.includes(token) || state.revoked.has(token)) {
          reply(res, 401, { error_code: 'UCS.00000018', error_msg: 'Authorization failed.' });
          return;
        }
        reply(res, 200, SEED_BODY);
      });
    }

    const ucsRequests = (s: LocalServer): RecordedRequest[] =>
      s.requests.filter((r) => r.url.startsWith('/v1/'));
    const iamRequests = (s: LocalServer): RecordedRequest[] =>
      s.requests.filter((r) => r.url.startsWith('/v3/'));

    function password(s: LocalServer): PasswordCredentials {
      return {
        kind: 'password',
        username: 'ops-user',
        password: 'Pa55word!',
        domainName: 'my-account',
        iamEndpoint: s.url,
      };
    }

    function newState(overrides: Partial<IamState> = {}): IamState {
      return { issued: [], revoked: new Set(), lifetimeMs: 24 * HOUR, iamDelayMs: 0, ...overrides };
    }

    it('gets a domain-scoped token as documented and reuses it', async () => {
      const state = newState();
      server = await startIamAndUcs(state, Date.now);
      const events: RequestEvent[] = [];
      transport = new UcsTransport({ qps: Infinity, onRequest: (e) => events.push(e) });
      const client = transport.client(server.url, password(server));
      for (const id of ['a', 'b', 'c']) job(await client.getJob(id));
      // Another client object for the same credentials (another endpoint even) shares it.
      job(await transport.client(`${server.url}/`, password(server)).getJob('d'));
      const iam = iamRequests(server);
      expect(iam).to.have.length(1);
      expect(iam[0]?.method).to.equal('POST');
      expect(iam[0]?.url).to.equal('/v3/auth/tokens?nocatalog=true');
      expect(iam[0]?.headers['content-type']).to.match(/^application\/json/);
      expect(JSON.parse(iam[0]?.body ?? '')).to.deep.equal({
        auth: {
          identity: {
            methods: ['password'],
            password: {
              user: { name: 'ops-user', password: 'Pa55word!', domain: { name: 'my-account' } },
            },
          },
          scope: { domain: { name: 'my-account' } },
        },
      });
      expect(ucsRequests(server).map((r) => r.headers['x-auth-token'])).to.deep.equal([
        'iam-token-1',
        'iam-token-1',
        'iam-token-1',
        'iam-token-1',
      ]);
      expect(events.map((e) => `${e.operation}:${e.code}`)).to.include('CreateIamToken:201');
    });

    it('shares one token request among concurrent callers', async () => {
      const state = newState({ iamDelayMs: 150 });
      server = await startIamAndUcs(state, Date.now);
      transport = new UcsTransport({ qps: Infinity, maxConcurrent: 20 });
      const client = transport.client(server.url, password(server));
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => client.getJob(`job-${i}`)),
      );
      results.forEach(job);
      expect(iamRequests(server)).to.have.length(1);
      expect(ucsRequests(server)).to.have.length(10);
    });

    it('renews the token a margin before expires_at (fake clock)', async () => {
      let clock = Date.UTC(2030, 0, 1);
      const state = newState();
      server = await startIamAndUcs(state, () => clock);
      transport = new UcsTransport({ qps: Infinity, now: () => clock });
      const client = transport.client(server.url, password(server));
      job(await client.getJob('a'));
      // 24 h token: renewed 1 h (the smaller of 1 h and 10%) before expiry.
      clock += 22 * HOUR + 59 * 60_000;
      job(await client.getJob('b'));
      expect(state.issued).to.have.length(1);
      clock += 2 * 60_000; // 23 h 01 min after issue
      job(await client.getJob('c'));
      expect(state.issued).to.have.length(2);
      expect(ucsRequests(server).map((r) => r.headers['x-auth-token'])).to.deep.equal([
        'iam-token-1',
        'iam-token-1',
        'iam-token-2',
      ]);
    });

    it('renews short-lived tokens at 10% of their lifetime before expiry', async () => {
      let clock = Date.UTC(2030, 0, 1);
      const state = newState({ lifetimeMs: 10 * 60_000 });
      server = await startIamAndUcs(state, () => clock);
      transport = new UcsTransport({ qps: Infinity, now: () => clock });
      const client = transport.client(server.url, password(server));
      job(await client.getJob('a'));
      clock += 8 * 60_000 + 59_000;
      job(await client.getJob('b'));
      expect(state.issued).to.have.length(1);
      clock += 2000; // 9 min 01 s: within the last minute
      job(await client.getJob('c'));
      expect(state.issued).to.have.length(2);
    });

    it('renews once after a 401 (revoked token) and retries the call', async () => {
      const state = newState();
      server = await startIamAndUcs(state, Date.now);
      transport = new UcsTransport({ qps: Infinity });
      const client = transport.client(server.url, password(server));
      job(await client.getJob('a'));
      state.revoked.add('iam-token-1');
      job(await client.getJob('b'));
      expect(state.issued).to.deep.equal(['iam-token-1', 'iam-token-2']);
      expect(ucsRequests(server).map((r) => r.headers['x-auth-token'])).to.deep.equal([
        'iam-token-1',
        'iam-token-1',
        'iam-token-2',
      ]);
    });

    it('renews once for many concurrent 401s', async () => {
      const state = newState();
      server = await startIamAndUcs(state, Date.now);
      transport = new UcsTransport({ qps: Infinity, maxConcurrent: 20 });
      const client = transport.client(server.url, password(server));
      job(await client.getJob('warm-up'));
      state.revoked.add('iam-token-1');
      (await Promise.all(Array.from({ length: 8 }, (_, i) => client.getJob(`j${i}`)))).forEach(job);
      expect(state.issued).to.deep.equal(['iam-token-1', 'iam-token-2']);
    });

    it('reports the refusal when the fresh token is refused too (one retry only)', async () => {
      server = await startServer((req, res) => {
        if (req.url.startsWith('/v3/')) {
          res.writeHead(201, { 'X-Subject-Token': `t${server?.requests.length ?? 0}` });
          res.end('{}');
        } else {
          reply(res, 403, { error_code: 'UCS.00000004', error_msg: 'Request forbidden.' });
        }
      });
      transport = new UcsTransport({ qps: Infinity });
      const result = await transport.client(server.url, password(server)).getJob('a');
      expect(result.ok).to.be.false;
      if (!result.ok) {
        expect(result.error).to.include({ reason: 'Forbidden', httpStatus: 403, retryable: false });
        expect(result.error.message).to.include('also with a freshly issued IAM token');
      }
      expect(iamRequests(server)).to.have.length(2);
      expect(ucsRequests(server)).to.have.length(2);
    });

    const iamFailures: {
      name: string;
      answer: (req: RecordedRequest, res: http.ServerResponse) => void;
      reason: string;
      text: string;
      retryable: boolean;
    }[] = [
      {
        name: '401 from IAM',
        answer: (_req, res) => {
          reply(res, 401, {
            error: { code: 'IAM.0002', message: 'The username or password is wrong.' },
          });
        },
        reason: 'Unauthorized',
        text: 'IAM rejected the username/password/domainName',
        retryable: false,
      },
      {
        name: '201 without X-Subject-Token',
        answer: (_req, res) => {
          reply(res, 201, { token: {} });
        },
        reason: 'InvalidResponse',
        text: 'without an X-Subject-Token',
        retryable: true,
      },
      {
        name: '500 from IAM',
        answer: (_req, res) => {
          reply(res, 500, 'boom');
        },
        reason: 'Unavailable',
        text: 'cannot get an IAM token',
        retryable: true,
      },
      {
        name: '404 from IAM (wrong endpoint)',
        answer: (_req, res) => {
          reply(res, 404, '');
        },
        reason: 'InvalidRequest',
        text: 'is iamEndpoint right?',
        retryable: false,
      },
      {
        name: '429 from IAM',
        answer: (_req, res) => {
          reply(res, 429, '', { 'Retry-After': '3' });
        },
        reason: 'Throttled',
        text: 'HTTP 429',
        retryable: true,
      },
    ];
    for (const c of iamFailures) {
      it(`classifies ${c.name} and sends nothing to UCS`, async () => {
        const state = newState({ iamAnswer: c.answer });
        server = await startIamAndUcs(state, Date.now);
        transport = new UcsTransport({ qps: Infinity });
        const result = await transport.client(server.url, password(server)).getJob('a');
        if (result.ok) throw new Error('expected an error');
        expect(result.error.reason).to.equal(c.reason);
        expect(result.error.retryable).to.equal(c.retryable);
        expect(result.error.message).to.include(c.text);
        expect(ucsRequests(server)).to.have.length(0);
      });
    }

    it('tries IAM again on the next call after a failure (errors are not cached)', async () => {
      let fail = true;
      const state = newState();
      state.iamAnswer = (_req, res) => {
        if (fail) {
          reply(res, 503, 'later');
          return;
        }
        state.issued.push('ok-token');
        res.writeHead(201, { 'X-Subject-Token': 'ok-token' });
        res.end('{}');
      };
      server = await startIamAndUcs(state, Date.now);
      transport = new UcsTransport({ qps: Infinity });
      const client = transport.client(server.url, password(server));
      expect((await client.getJob('a')).ok).to.be.false;
      fail = false;
      job(await client.getJob('a'));
      expect(iamRequests(server)).to.have.length(2);
    });
  });
});
