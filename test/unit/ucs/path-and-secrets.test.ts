import { expect } from 'chai';
import { inspect } from 'node:util';
import {
  JOBS_PATH,
  UcsTransport,
  type GetJobResult,
  type UcsCredentials,
} from '../../../src/ucs/index.js';
import { SEED_BODY, reply, startServer, type LocalServer } from './local-servers.js';

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
    // Echoes the request's headers and body into every kind of error answer.
    let mode = 0;
    server = await startServer((req, res) => {
      const echo = `${JSON.stringify(req.headers)} ${req.body}`;
      if (req.url.startsWith('/v3/')) {
        // IAM: fail with the request (and its password) in the message, then succeed.
        if (mode === 0) {
          reply(res, 401, { error_msg: `bad login: ${echo}` });
          return;
        }
        res.writeHead(201, { 'X-Subject-Token': SECRETS.token });
        res.end('{}');
        return;
      }
      const answers = [
        () => {
          reply(res, 400, { error_code: 'X', error_msg: echo });
        },
        () => {
          reply(res, 401, { error: { code: 'Y', message: echo } });
        },
        () => {
          reply(res, 502, `<html><body><pre>${echo}</pre></body></html>`);
        },
        () => {
          reply(res, 503, echo);
        },
        () => {
          reply(res, 200, `not json ${echo}`);
        },
      ];
      const answer = answers[Number(req.url.split('-').at(-1)) % answers.length];
      answer?.();
    });
    transport = new UcsTransport({ qps: Infinity });
    const credentials: UcsCredentials[] = [
      { kind: 'token', token: SECRETS.token },
      {
        kind: 'password',
        username: 'u',
        password: SECRETS.password,
        domainName: 'd',
        iamEndpoint: server.url,
      },
      {
        kind: 'aksk',
        accessKey: 'AK',
        secretKey: SECRETS.secretKey,
        securityToken: SECRETS.securityToken,
        domainID: 'D',
      },
      // The account ID lookup at IAM (its answer echoes the request too).
      {
        kind: 'aksk',
        accessKey: 'AK',
        secretKey: SECRETS.secretKey,
        securityToken: SECRETS.securityToken,
        iamEndpoint: server.url,
      },
    ];
    const seen: string[] = [];
    for (const creds of credentials) {
      for (const m of [0, 1]) {
        mode = m;
        // A fresh transport: a refused login is remembered (LoginBackoff) per transport.
        transport.close();
        transport = new UcsTransport({ qps: Infinity });
        const client = transport.client(server.url, creds);
        for (let i = 0; i < 5; i++) {
          let result: GetJobResult | undefined;
          try {
            result = await client.getJob(`job-${m}-${i}`);
          } catch (err) {
            scan(String(err), 'a thrown error');
            scan(inspect(err), 'a thrown error');
            throw new Error('getJob threw', { cause: err });
          }
          expect(result.ok).to.be.false;
          seen.push(JSON.stringify(result));
        }
        scan(inspect(client, { depth: 10 }), 'the client object');
      }
    }
    scan(seen.join('\n'), 'an error');
    scan(inspect(transport, { depth: 10 }), 'the transport object');
    // The echoes did reach the messages (so the scan is not vacuous), redacted.
    expect(seen.join('\n')).to.include('[redacted]');
    expect(seen.some((s) => s.includes('x-auth-token'))).to.be.true;
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
    const messages: string[] = [];
    for (const endpoint of ['http://127.0.0.1:1', `http://x:${SECRETS.token}@h`, 'nonsense']) {
      for (const c of [creds, { kind: 'token', token: SECRETS.token } as const]) {
        messages.push(JSON.stringify(await transport.client(endpoint, c).getJob('j')));
      }
    }
    scan(messages.join('\n'), 'an error');
  });
});
