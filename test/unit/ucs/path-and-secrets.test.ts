import { expect } from 'chai';
import type { ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import {
  JOBS_PATH,
  UcsTransport,
  type GetJobResult,
  type UcsCredentials,
} from '../../../src/ucs/index.js';
import { SEED_BODY, reply, startServer, type LocalServer } from './local-servers.js';
import { AUTH_DOMAINS_PATH } from '../../../src/ucs/auth/domain-id-lookup.js';

describe('ucs client: job IDs cannot change the path', () => {
  let server: LocalServer | undefined;
  let transport: UcsTransport | undefined;

  afterEach(async () => {
    transport?.close();
    await server?.close();
  });

  const hostile = [
    '../x',
    '../../v3/auth/tokens',
    'a/b',
    '?x',
    '?x=1&y=2',
    '#frag',
    '%2e%2e',
    '%2E%2E/x',
    '.%2e',
    '..%2F',
    '...',
    'a\\b',
    '..\\..',
    ' spaced id ',
    '\u0000nul',
    'ünïcødé/🚀',
    'c7678551-1f7e-4699-9ea1-3baa2d32f552',
  ];

  for (const base of ['', '/base/path']) {
    it(`keeps every ID inside ${base}${JOBS_PATH}{jobid}`, async () => {
      server = await startServer((_req, res) => {
        reply(res, 200, SEED_BODY);
      });
      transport = new UcsTransport({ qps: Infinity });
      const client = transport.client(server.url + base, { kind: 'token', token: 'tok-path' });
      for (const id of hostile) {
        const result = await client.getJob(id);
        expect(result.ok, id).to.be.true;
      }
      expect(server.requests).to.have.length(hostile.length);
      server.requests.forEach((req, i) => {
        const id = hostile[i] ?? '';
        expect(req.url, id).to.equal(`${base}${JOBS_PATH}${encodeURIComponent(id)}`);
        expect(req.url, id).not.to.match(/[?#]/);
        const segments = req.url.split('/');
        expect(segments, id).to.have.length(base === '' ? 5 : 7);
        expect(decodeURIComponent(segments.at(-1) ?? ''), id).to.equal(id);
      });
    });
  }

  it('refuses IDs that no URL can carry intact, without sending anything', async () => {
    server = await startServer((_req, res) => {
      reply(res, 200, SEED_BODY);
    });
    transport = new UcsTransport({ qps: Infinity });
    const client = transport.client(server.url, { kind: 'token', token: 'tok-path' });
    for (const id of ['', '.', '..', 'x'.repeat(257), 'lone\uD800surrogate']) {
      const result = await client.getJob(id);
      expect(result.ok, id).to.be.false;
      if (!result.ok)
        expect(result.error).to.include({ reason: 'InvalidRequest', retryable: false });
    }
    expect(server.requests).to.have.length(0);
  });
});

describe('ucs client: credentials never appear in messages', () => {
  const SECRETS = {
    token: 'TOKEN-s3cr3t-value-1111',
    password: 'PASSWORD-s3cr3t-2222',
    secretKey: 'SK-s3cr3t-3333',
    securityToken: 'STS-s3cr3t-4444',
  };

  let server: LocalServer | undefined;
  let transport: UcsTransport | undefined;

  afterEach(async () => {
    transport?.close();
    await server?.close();
  });

  function scan(text: string, where: string): void {
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(text, `${where} leaks the ${name}`).not.to.include(value);
    }
  }

  it('redacts secrets that a misbehaving server echoes back, for every credential kind', async () => {
    // Every kind of error answer, each echoing the request (its body first, then its headers).
    const answers: { send: (res: ServerResponse, echo: string) => void; reason: string }[] = [
      {
        send: (res, echo) => {
          reply(res, 400, { error_code: 'X', error_msg: echo });
        },
        reason: 'InvalidRequest',
      },
      {
        send: (res, echo) => {
          reply(res, 401, { error: { code: 'Y', message: echo } });
        },
        reason: 'Unauthorized',
      },
      {
        send: (res, echo) => {
          reply(res, 502, `<html><body><pre>${echo}</pre></body></html>`);
        },
        reason: 'Unavailable',
      },
      {
        send: (res, echo) => {
          reply(res, 503, echo);
        },
        reason: 'Unavailable',
      },
      // Not JSON: the message gives its size only, so there is nothing to redact.
      {
        send: (res, echo) => {
          reply(res, 200, `not json ${echo}`);
        },
        reason: 'InvalidResponse',
      },
    ];
    let iamFails = false;
    server = await startServer((req, res) => {
      const echo = `${req.body} ${JSON.stringify(req.headers)}`;
      if (req.url.startsWith('/v3/')) {
        // IAM: fails with the request (and its secrets) in the message, or answers: the account
        // of an access key pair, or a token for a password.
        if (iamFails) {
          reply(res, 401, { error_msg: `bad login: ${echo}` });
          return;
        }
        if (req.url.startsWith(AUTH_DOMAINS_PATH)) {
          reply(res, 200, { domains: [{ id: 'D' }] });
          return;
        }
        res.writeHead(201, { 'X-Subject-Token': SECRETS.token });
        res.end('{}');
        return;
      }
      answers[Number(req.url.split('-').at(-1))]?.send(res, echo);
    });
    const password: UcsCredentials = {
      kind: 'password',
      username: 'u',
      password: SECRETS.password,
      domainName: 'd',
      iamEndpoint: server.url,
    };
    const aksk = {
      kind: 'aksk',
      accessKey: 'AK',
      secretKey: SECRETS.secretKey,
      securityToken: SECRETS.securityToken,
    } as const;
    // The header that carries a secret on each request, as the echo shows it once redacted; when
    // IAM fails, the error every answer gives (IAM's refusal, remembered) and how often IAM was
    // asked.
    const cases: {
      creds: UcsCredentials;
      iamFails?: { reason: string; message: string };
      redacted: string;
      iamRequests: number;
    }[] = [
      {
        creds: { kind: 'token', token: SECRETS.token },
        redacted: '"x-auth-token":"[redacted]"',
        iamRequests: 0,
      },
      // The IAM request carries the password; its echo comes back in IAM's error.
      {
        creds: password,
        iamFails: { reason: 'Unauthorized', message: 'IAM rejected' },
        redacted: '"password":"[redacted]"',
        iamRequests: 1,
      },
      // The issued IAM token (SECRETS.token) is as secret as the password (a login, and another
      // after UCS's 401).
      { creds: password, redacted: '"x-auth-token":"[redacted]"', iamRequests: 2 },
      {
        creds: { ...aksk, domainID: 'D' },
        redacted: '"x-security-token":"[redacted]"',
        iamRequests: 0,
      },
      // The account ID lookup at IAM (its answer echoes the signed request too).
      {
        creds: { ...aksk, iamEndpoint: server.url },
        iamFails: { reason: 'CredentialsInvalid', message: 'IAM refused the access key pair' },
        redacted: '"x-security-token":"[redacted]"',
        iamRequests: 1,
      },
      {
        creds: { ...aksk, iamEndpoint: server.url },
        redacted: '"x-security-token":"[redacted]"',
        iamRequests: 2,
      },
    ];
    for (const [n, c] of cases.entries()) {
      iamFails = c.iamFails !== undefined;
      // A fresh transport: a refused login is remembered (LoginBackoff) per transport.
      transport?.close();
      transport = new UcsTransport({ qps: Infinity });
      const iamBefore = server.requests.filter((r) => r.url.startsWith('/v3/')).length;
      const client = transport.client(server.url, c.creds);
      for (const [i, answer] of answers.entries()) {
        const where = `case ${String(n)} (${c.creds.kind}${iamFails ? ', IAM fails' : ''}), answer ${String(i)}`;
        let result: GetJobResult | undefined;
        try {
          result = await client.getJob(`job-${String(n)}-${String(i)}`);
        } catch (err) {
          scan(String(err), 'a thrown error');
          scan(inspect(err), 'a thrown error');
          throw new Error('getJob threw', { cause: err });
        }
        expect(result.ok, where).to.be.false;
        if (result.ok) continue;
        const text = JSON.stringify(result);
        scan(text, `the error of ${where}`);
        // The error path ran and the secret reached the message, redacted.
        if (c.iamFails) {
          expect(result.error.reason, where).to.equal(c.iamFails.reason);
          expect(result.error.message, where).to.include(c.iamFails.message);
          expect(result.error.message, where).to.include(c.redacted);
        } else {
          expect(result.error.reason, where).to.equal(answer.reason);
          if (answer.reason === 'InvalidResponse')
            expect(result.error.message, where).to.match(/not JSON \(\d+ bytes\)$/);
          else expect(result.error.message, where).to.include(c.redacted);
        }
      }
      scan(inspect(client, { depth: 10 }), 'the client object');
      scan(inspect(transport, { depth: 10 }), 'the transport object');
      expect(
        server.requests.filter((r) => r.url.startsWith('/v3/')).length - iamBefore,
        `IAM requests of case ${String(n)}`,
      ).to.equal(c.iamRequests);
    }
  });

  it('redacts a long echoed token before cutting the message to length', async () => {
    // A 3,000-character token: cut first, the first few hundred characters would stay.
    const token = Array.from(
      { length: 3000 },
      (_, i) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[(i * 7) % 26],
    ).join('');
    const bodies = [
      (t: string) => JSON.stringify({ error_code: 'APIGW.0301', error_msg: `bad token ${t}` }),
      (t: string) => JSON.stringify({ error: { code: 'X', message: `token: ${t}` } }),
      (t: string) => `<html><body>token ${t}</body></html>`,
      (t: string) => `plain ${t}`,
    ];
    let next = 0;
    server = await startServer((req, res) => {
      const echoed = String(req.headers['x-auth-token']);
      reply(res, 401, bodies[next++ % bodies.length]?.(echoed) ?? '');
    });
    transport = new UcsTransport({ qps: Infinity });
    const client = transport.client(server.url, { kind: 'token', token });
    for (let i = 0; i < bodies.length; i++) {
      const result = await client.getJob(`j${i}`);
      if (result.ok) throw new Error('expected an error');
      const text = JSON.stringify(result.error);
      expect(text).to.include('[redacted]');
      // No 16 characters in a row of the token survive anywhere.
      for (let at = 0; at + 16 <= 400; at += 8) {
        expect(text, `piece at ${at}`).not.to.include(token.slice(at, at + 16));
      }
    }
  });

  it('never puts credentials in messages of network failures and bad endpoints', async () => {
    transport = new UcsTransport({ qps: Infinity, timeoutMs: 500 });
    const creds: UcsCredentials = {
      kind: 'password',
      username: 'u',
      password: SECRETS.password,
      domainName: 'd',
      iamEndpoint: `http://user:${SECRETS.password}@127.0.0.1:1`,
    };
    const token: UcsCredentials = { kind: 'token', token: SECRETS.token };
    // Each call fails where it should, so the scans read real messages.
    const cases: [endpoint: string, UcsCredentials, reason: string, message: string][] = [
      ['http://127.0.0.1:1', creds, 'Unavailable', 'cannot reach IAM at 127.0.0.1:1'],
      ['http://127.0.0.1:1', token, 'Unavailable', 'cannot reach UCS at 127.0.0.1:1'],
      [`http://x:${SECRETS.token}@h`, creds, 'InvalidRequest', 'must not carry credentials'],
      [`http://x:${SECRETS.token}@h`, token, 'InvalidRequest', 'must not carry credentials'],
      ['nonsense', creds, 'InvalidRequest', 'is not a URL'],
      ['nonsense', token, 'InvalidRequest', 'is not a URL'],
    ];
    for (const [endpoint, c, reason, message] of cases) {
      const result = await transport.client(endpoint, c).getJob('j');
      const where = `${c.kind} at ${endpoint}`;
      expect(result.ok, where).to.be.false;
      if (result.ok) continue;
      expect(result.error.reason, where).to.equal(reason);
      expect(result.error.message, where).to.include(message);
      scan(JSON.stringify(result), `the error of ${where}`);
    }
  });
});
