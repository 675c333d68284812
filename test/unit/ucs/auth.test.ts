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
  startServer,
  type LocalServer,
  type RecordedRequest,
} from './local-servers.js';
import { sleep } from '../../../harness/eventually.js';

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

    /** UCS and IAM in one: IAM lists DOMAIN for a good signature, UCS wants it in X-Domain-Id. */
    function gateway(secretKey: string, iam?: (res: http.ServerResponse) => void) {
      return (req: RecordedRequest, res: http.ServerResponse): void => {
        if (!verify(req, secretKey)) {
          reply(res, 401, {
            error_code: 'APIGW.0301',
            error_msg: 'Incorrect IAM authentication information',
          });
        } else if (req.url === '/v3/auth/domains') {
          if (iam !== undefined) iam(res);
          else
            reply(res, 200, { domains: [{ id: DOMAIN, name: 'acme', enabled: true }], links: {} });
        } else if (req.headers['x-domain-id'] !== DOMAIN) {
          reply(res, 401, { error_code: 'APIGW.0301', error_msg: 'X-Domain-Id is required' });
        } else {
          reply(res, 200, SEED_BODY);
        }
      };
    }
    const DOMAIN = '05495693d180d3c90f9ec0171879f760';
    const iamCalls = (s: LocalServer): RecordedRequest[] =>
      s.requests.filter((r) => r.url.startsWith('/v3/'));

    it('signs host and x-sdk-date; the server can verify it from what it received', async () => {
      server = await startServer(gateway('SECRET-KEY-1'));
      transport = new UcsTransport({ qps: Infinity });
      const client = transport.client(server.url, {
        kind: 'aksk',
        accessKey: 'AK1',
        secretKey: 'SECRET-KEY-1',
        iamEndpoint: server.url,
      });
      job(await client.getJob('c7678551-1f7e-4699-9ea1-3baa2d32f552'));
      job(await client.getJob('odd id/with?chars#and%2e%2e'));
      const req = server.requests.find((r) => r.url.startsWith('/v1/'));
      const auth = parseAuthorization(String(req?.headers.authorization));
      expect(auth?.accessKey).to.equal('AK1');
      expect(auth?.signedHeaders).to.deep.equal(['host', 'x-domain-id', 'x-sdk-date']);
      const sent = parseSdkDate(String(req?.headers['x-sdk-date']));
      expect(Math.abs((sent?.getTime() ?? 0) - Date.now())).to.be.below(5000);
      // A wrong key is noticed (the check above is not vacuous).
      expect(verify(req!, 'OTHER')).to.be.false;
      expect(req?.headers['x-auth-token']).to.equal(undefined);
    });

    it('looks the account ID up at IAM once, as the SDK does, and sends it signed', async () => {
      server = await startServer(gateway('SK3'));
      transport = new UcsTransport({ qps: Infinity, maxConcurrent: 20 });
      const credentials = {
        kind: 'aksk',
        accessKey: 'AK3',
        secretKey: 'SK3',
        securityToken: 'sts-3',
        iamEndpoint: server.url,
      } as const;
      const client = transport.client(server.url, credentials);
      (await Promise.all(Array.from({ length: 8 }, (_, i) => client.getJob(`j${i}`)))).forEach(job);
      // Another UCS endpoint, the same key pair: the same lookup.
      job(await transport.client(`${server.url}/`, credentials).getJob('k'));
      const iam = iamCalls(server);
      expect(iam.map((r) => `${r.method} ${r.url}`)).to.deep.equal(['GET /v3/auth/domains']);
      expect(iam[0]?.headers['content-type']).to.equal('application/json;charset=utf8');
      expect(iam[0]?.headers['x-domain-id']).to.equal(undefined);
      expect(
        parseAuthorization(String(iam[0]?.headers.authorization))?.signedHeaders,
      ).to.deep.equal(['content-type', 'host', 'x-sdk-date', 'x-security-token']);
      const ucs = server.requests.filter((r) => r.url.startsWith('/v1/'));
      expect(ucs).to.have.length(9);
      for (const r of ucs) {
        expect(r.headers['x-domain-id']).to.equal(DOMAIN);
        expect(parseAuthorization(String(r.headers.authorization))?.signedHeaders).to.include(
          'x-domain-id',
        );
      }
    });

    it('looks the account ID up again after UCS answers 401, and retries once', async () => {
      let listed = 'stale-domain';
      server = await startServer(
        gateway('SK4', (res) => {
          reply(res, 200, { domains: [{ id: listed }], links: {} });
          listed = DOMAIN;
        }),
      );
      transport = new UcsTransport({ qps: Infinity });
      const client = transport.client(server.url, {
        kind: 'aksk',
        accessKey: 'AK4',
        secretKey: 'SK4',
        iamEndpoint: server.url,
      });
      job(await client.getJob('a'));
      job(await client.getJob('b'));
      expect(
        server.requests.map((r) => `${r.url} ${String(r.headers['x-domain-id'] ?? '-')}`),
      ).to.deep.equal([
        '/v3/auth/domains -',
        '/v1/policy/jobs/a stale-domain',
        '/v3/auth/domains -',
        `/v1/policy/jobs/a ${DOMAIN}`,
        `/v1/policy/jobs/b ${DOMAIN}`,
      ]);
    });

    it('does not look up again after a 403 (a missing permission), nor with a domainID given', async () => {
      server = await startServer((req, res) => {
        if (req.url.startsWith('/v3/')) reply(res, 200, { domains: [{ id: DOMAIN }] });
        else
          reply(res, 403, {
            error_code: 'UCS.00010014',
            error_msg: 'iam pdp authentication denied',
          });
      });
      transport = new UcsTransport({ qps: Infinity });
      const base = {
        kind: 'aksk',
        accessKey: 'AK5',
        secretKey: 'SK5',
        iamEndpoint: server.url,
      } as const;
      for (const credentials of [base, { ...base, domainID: 'given' }]) {
        const result = await transport.client(server.url, credentials).getJob('a');
        expect(result.ok).to.be.false;
        if (!result.ok) expect(result.error.reason).to.equal('Forbidden');
      }
      expect(server.requests.map((r) => r.url)).to.deep.equal([
        '/v3/auth/domains',
        '/v1/policy/jobs/a',
        '/v1/policy/jobs/a',
      ]);
    });

    const lookupFailures: {
      name: string;
      answer: (res: http.ServerResponse) => void;
      reason: string;
      retryable: boolean;
      text: string;
    }[] = [
      {
        name: 'IAM 401',
        answer: (res) => {
          reply(res, 401, {
            error_code: 'APIGW.0301',
            error_msg: 'Incorrect IAM authentication information',
          });
        },
        reason: 'CredentialsInvalid',
        retryable: false,
        text: 'IAM refused the access key pair when looking up its account ID (/v3/auth/domains): IAM answered HTTP 401 APIGW.0301: Incorrect IAM authentication information',
      },
      {
        name: 'IAM 403',
        answer: (res) => {
          reply(res, 403, { error: { code: 'IAM.0003', message: "Policy doesn't allow" } });
        },
        reason: 'CredentialsInvalid',
        retryable: false,
        text: "Policy doesn't allow",
      },
      {
        name: 'IAM 500',
        answer: (res) => {
          reply(res, 500, 'boom');
        },
        reason: 'Unavailable',
        retryable: true,
        text: 'cannot look up the account ID at IAM: IAM answered HTTP 500: boom',
      },
      {
        name: 'no domains',
        answer: (res) => {
          reply(res, 200, { domains: [], links: {} });
        },
        reason: 'CredentialsInvalid',
        retryable: false,
        text: 'set domainID',
      },
      {
        name: 'a wrong IAM endpoint (404)',
        answer: (res) => {
          reply(res, 404, '');
        },
        reason: 'CredentialsInvalid',
        retryable: false,
        text: 'is iamEndpoint right?',
      },
    ];
    for (const c of lookupFailures) {
      it(`reports ${c.name} at the account ID lookup and sends nothing to UCS`, async () => {
        server = await startServer((req, res) => {
          c.answer(res);
        });
        transport = new UcsTransport({ qps: Infinity });
        const result = await transport
          .client(server.url, {
            kind: 'aksk',
            accessKey: 'A',
            secretKey: 'S',
            iamEndpoint: server.url,
          })
          .getJob('a');
        if (result.ok) throw new Error('expected an error');
        expect(result.error.reason).to.equal(c.reason);
        expect(result.error.retryable).to.equal(c.retryable);
        expect(result.error.message).to.include(c.text);
        expect(server.requests.map((r) => r.url)).to.deep.equal(['/v3/auth/domains']);
      });
    }

    it('remembers a refused lookup with backoff: IAM is not asked on every call', async () => {
      let clock = Date.UTC(2030, 0, 1);
      server = await startServer((_req, res) => {
        reply(res, 401, {
          error_code: 'APIGW.0301',
          error_msg: 'Incorrect IAM authentication information',
        });
      });
      transport = new UcsTransport({ qps: Infinity, now: () => clock });
      const credentials = {
        kind: 'aksk',
        accessKey: 'A',
        secretKey: 'S',
        iamEndpoint: server.url,
      } as const;
      const client = transport.client(server.url, credentials);
      const attempts = async (n: number): Promise<string[]> => {
        const messages: string[] = [];
        for (let i = 0; i < n; i++) {
          const r = await client.getJob(`j${i}`);
          if (r.ok) throw new Error('expected an error');
          expect(r.error.reason).to.equal('CredentialsInvalid');
          messages.push(r.error.message);
        }
        return messages;
      };
      const first = await attempts(20);
      expect(iamCalls(server)).to.have.length(1);
      expect(new Set(first).size, 'the same message while paused').to.equal(1);
      expect(first[0]).to.include('not asked again before 2030-01-01T00:01:00.000Z');
      clock += 59_000;
      await attempts(5);
      expect(iamCalls(server)).to.have.length(1);
      clock += 1_000;
      const second = await attempts(5);
      expect(iamCalls(server)).to.have.length(2);
      expect(second[0]).to.include(
        '2 times in a row; not asked again before 2030-01-01T00:03:00.000Z',
      );
      // Fixed credentials (another secret key) are tried at once.
      const fixed = await transport
        .client(server.url, { ...credentials, secretKey: 'S2' })
        .getJob('x');
      expect(fixed.ok).to.be.false;
      expect(iamCalls(server)).to.have.length(3);
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
      const client = transport.client(server.url, {
        kind: 'aksk',
        accessKey: 'A',
        secretKey: 'S',
        domainID: 'D',
      });
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

    it('remembers a refused password with backoff, so that IAM does not lock the user out', async () => {
      let clock = Date.UTC(2030, 0, 1);
      const state = newState({
        iamAnswer: (_req, res) => {
          reply(res, 401, { error: { code: 401, message: 'The username or password is wrong.' } });
        },
      });
      server = await startIamAndUcs(state, () => clock);
      transport = new UcsTransport({ qps: Infinity, maxConcurrent: 20, now: () => clock });
      const client = transport.client(server.url, password(server));
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => client.getJob(`j${i}`)),
      );
      for (const r of results) expect(r.ok).to.be.false;
      for (let i = 0; i < 50; i++) expect((await client.getJob(`k${i}`)).ok).to.be.false;
      expect(iamRequests(server), 'one login for 100 calls').to.have.length(1);
      clock += 60_000;
      const later = await client.getJob('after-a-minute');
      expect(iamRequests(server)).to.have.length(2);
      if (!later.ok) expect(later.error.message).to.include('2 times in a row');
      expect(ucsRequests(server)).to.have.length(0);
    });

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
