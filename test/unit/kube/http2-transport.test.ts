import { once } from 'node:events';
import http2, { constants, type Http2SecureServer, type ServerHttp2Stream } from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  IsomorphicFetchHttpLibrary,
  RequestContext,
  type HttpMethod,
  type PromiseHttpLibrary,
} from '@kubernetes/client-node';
import { expect } from 'chai';
import { Agent } from 'undici';
import {
  generateControlPlaneCerts,
  type ControlPlaneCerts,
} from '../../../src/control-plane/certs.js';
import { Http2Transport, type TlsTarget } from '../../../src/kube/http2-transport.js';

interface Seen {
  method: string;
  path: string;
  headers: http2.IncomingHttpHeaders;
  body: string;
}

type Answer = (stream: ServerHttp2Stream, seen: Seen) => void;

const ok: Answer = (stream) => {
  stream.respond({ ':status': 200, 'content-type': 'application/json', 'x-answer': 'yes' });
  stream.end('{"kind":"Namespace"}');
};

/** A real HTTP/2 server on 127.0.0.1 that records requests and counts sessions. */
async function startH2(certs: ControlPlaneCerts, answer: Answer = ok) {
  const seen: Seen[] = [];
  const server: Http2SecureServer = http2.createSecureServer(certs.serving);
  let sessions = 0;
  server.on('session', () => sessions++);
  server.on('stream', (stream: ServerHttp2Stream, headers) => {
    stream.on('error', () => undefined); // a stream the test resets
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const s: Seen = {
        method: String(headers[':method']),
        path: String(headers[':path']),
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(s);
      answer(stream, s);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    server,
    seen,
    origin: `https://127.0.0.1:${String(port)}`,
    get sessions() {
      return sessions;
    },
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}

function request(origin: string, method: HttpMethod = 'GET', path = '/api/v1/namespaces/default') {
  const context = new RequestContext(`${origin}${path}`, method);
  context.setHeaderParam('Accept', 'application/json');
  context.setHeaderParam('Authorization', 'Bearer t0k3n');
  return context;
}

describe('Http2Transport (node:http2 servers)', () => {
  let certs: ControlPlaneCerts;
  const closers: (() => unknown)[] = [];

  before(async () => {
    certs = await generateControlPlaneCerts();
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  function transportTo(
    origin: string,
    extra: Partial<TlsTarget['tls']> = {},
    idleTimeoutMs?: number,
  ) {
    const target: TlsTarget = { key: 'k', origin, tls: { ca: certs.ca.cert, ...extra } };
    const transport = new Http2Transport({
      target: () => Promise.resolve(target),
      userAgent: 'policyjobwatch/test',
      ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs }),
    });
    closers.push(() => {
      transport.close();
    });
    return transport;
  }

  it('sends method, path, query, headers and body, and answers status, headers and body', async () => {
    const h2 = await startH2(certs);
    closers.push(h2.close);
    const transport = transportTo(h2.origin);
    const patch = request(h2.origin, 'PATCH', '/apis/g/v1/x/status?fieldManager=pjw&force=true');
    patch.setHeaderParam('Content-Type', 'application/apply-patch+yaml');
    patch.setBody('{"status":{}}');
    const response = await transport.send(patch);
    expect(response.httpStatusCode).to.equal(200);
    expect(response.headers['x-answer']).to.equal('yes');
    expect(await response.body.text()).to.equal('{"kind":"Namespace"}');
    const [got] = h2.seen;
    expect(got?.method).to.equal('PATCH');
    expect(got?.path).to.equal('/apis/g/v1/x/status?fieldManager=pjw&force=true');
    expect(got?.headers.authorization).to.equal('Bearer t0k3n');
    expect(got?.headers['content-type']).to.equal('application/apply-patch+yaml');
    expect(got?.headers['user-agent']).to.equal('policyjobwatch/test');
    expect(got?.body).to.equal('{"status":{}}');
  });

  it('multiplexes sequential and concurrent requests on one session', async () => {
    const h2 = await startH2(certs);
    closers.push(h2.close);
    const transport = transportTo(h2.origin);
    for (let i = 0; i < 5; i++) await transport.send(request(h2.origin));
    await Promise.all(Array.from({ length: 50 }, () => transport.send(request(h2.origin))));
    expect(h2.seen).to.have.length(55);
    expect(h2.sessions).to.equal(1);
    expect(transport.connections).to.equal(1);
  });

  it('verifies TLS: a server its CA did not sign is refused', async () => {
    const other = await generateControlPlaneCerts();
    const h2 = await startH2(other);
    closers.push(h2.close);
    const transport = transportTo(h2.origin);
    const failed = await transport.send(request(h2.origin)).catch((err: unknown) => err);
    expect(failed).to.be.instanceOf(Error);
    expect((failed as { code?: string }).code).to.match(/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/);
    expect(h2.seen).to.have.length(0);
  });

  it('opens a new session after the server sent GOAWAY, and after the idle timeout', async () => {
    const h2 = await startH2(certs, (stream) => {
      ok(stream, {} as Seen);
      stream.session?.goaway();
    });
    closers.push(h2.close);
    const transport = transportTo(h2.origin, {}, 200);
    await transport.send(request(h2.origin));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await transport.send(request(h2.origin));
    expect(h2.sessions).to.equal(2);

    const idle = await startH2(certs);
    closers.push(idle.close);
    const timed = transportTo(idle.origin, {}, 100);
    await timed.send(request(idle.origin));
    expect(timed.connections).to.equal(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(timed.connections, 'the idle session is retired').to.equal(0);
    await timed.send(request(idle.origin));
    expect(idle.sessions).to.equal(2);
  });

  it('sends a request the server refused (REFUSED_STREAM) once more', async () => {
    let refused = 0;
    const h2 = await startH2(certs, (stream, seen) => {
      if (refused++ === 0) stream.close(constants.NGHTTP2_REFUSED_STREAM);
      else ok(stream, seen);
    });
    closers.push(h2.close);
    const transport = transportTo(h2.origin);
    const response = await transport.send(request(h2.origin));
    expect(response.httpStatusCode).to.equal(200);
    expect(h2.seen).to.have.length(2);
  });

  it('aborts on the request signal and keeps the session for the next request', async () => {
    const h2 = await startH2(certs, (stream, seen) => {
      if (!seen.path.endsWith('/slow')) {
        ok(stream, seen);
        return;
      }
      // Never answered: the client gives up first (and resets the stream).
      const late = setTimeout(() => {
        ok(stream, seen);
      }, 2_000);
      stream.on('close', () => {
        clearTimeout(late);
      });
    });
    closers.push(h2.close);
    const transport = transportTo(h2.origin);
    const slow = request(h2.origin, 'GET', '/slow');
    slow.setSignal(AbortSignal.timeout(100));
    const failed = await transport.send(slow).catch((err: unknown) => err);
    expect((failed as Error).name).to.match(/TimeoutError|AbortError/);
    expect((await transport.send(request(h2.origin))).httpStatusCode).to.equal(200);
    expect(h2.sessions).to.equal(1);
  });

  it('reports a dead server with the connect error', async () => {
    const h2 = await startH2(certs);
    await h2.close();
    const transport = transportTo(h2.origin);
    const failed = await transport.send(request(h2.origin)).catch((err: unknown) => err);
    expect((failed as { code?: string }).code).to.equal('ECONNREFUSED');
  });

  for (const alpn of [['http/1.1'], undefined]) {
    it(`falls back to HTTP/1.1 when the server ${alpn ? 'refuses h2 in ALPN' : 'does no ALPN'}`, async () => {
      const server = https.createServer(
        { ...certs.serving, ...(alpn ? { ALPNProtocols: alpn } : { ALPNProtocols: [] }) },
        (req, res) => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ httpVersion: req.httpVersion }));
        },
      );
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      closers.push(() => new Promise((resolve) => server.close(resolve)));
      const origin = `https://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
      const library = new IsomorphicFetchHttpLibrary();
      let fellBack = 0;
      const fallback: PromiseHttpLibrary = {
        send: (context) => {
          fellBack++;
          return library.send(context).toPromise();
        },
      };
      const transport = new Http2Transport({
        target: () => Promise.resolve({ key: 'k', origin, tls: { ca: certs.ca.cert } }),
        userAgent: 'policyjobwatch/test',
        fallback,
      });
      closers.push(() => {
        transport.close();
      });
      const dispatcher = new Agent({ connect: { ca: certs.ca.cert } });
      closers.push(() => dispatcher.close());
      for (let i = 0; i < 2; i++) {
        const context = request(origin);
        context.setDispatcher(dispatcher);
        const response = await transport.send(context);
        expect(await response.body.text()).to.equal('{"httpVersion":"1.1"}');
      }
      expect(fellBack).to.equal(2);
      expect(transport.connections, 'no HTTP/2 attempt after the first').to.equal(0);
    });
  }
});
