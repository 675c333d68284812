import {
  connect,
  constants,
  type ClientHttp2Session,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type SecureClientSessionOptions,
} from 'node:http2';
import {
  IsomorphicFetchHttpLibrary,
  ResponseContext,
  type PromiseHttpLibrary,
  type RequestContext,
  type ResponseBody,
} from '@kubernetes/client-node';

/** Where and how to connect: the TLS identity (a digest of cluster, CA and client cert) and its options. */
export interface TlsTarget {
  key: string;
  /** https://host:port of the cluster. */
  origin: string;
  tls: SecureClientSessionOptions;
}

export interface Http2TransportOptions {
  /** The current TLS target (read again for every request; rotation shows as a new key). */
  target: () => Promise<TlsTarget>;
  /** The User-Agent header of every request. */
  userAgent: string;
  /** An idle session is closed after this long (the apiserver closes idle ones too). */
  idleTimeoutMs?: number;
  /** Sessions kept for older TLS identities (a rotated client cert) before the oldest closes. */
  maxSessions?: number;
  /** Used when the server does not speak HTTP/2 (client-node's own fetch library). */
  fallback?: PromiseHttpLibrary;
}

/** Headers HTTP/2 forbids (RFC 9113 8.2.2); `host` becomes `:authority`. */
const CONNECTION_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/**
 * Errors of a session that never spoke HTTP/2 meaning the server will not: it refused h2 in
 * ALPN (TLS alert 120), or it did no ALPN and answered the HTTP/2 preface as HTTP/1.1.
 */
const NO_HTTP2 = new Set(['ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL', 'ERR_HTTP2_ERROR']);

interface Session {
  session: ClientHttp2Session;
  active: number;
}

/** The server does not speak HTTP/2: the request goes to the fallback. */
class NoHttp2Error extends Error {}

/**
 * A client-node HTTP library on node:http2: every API call of the operator goes over one
 * multiplexed HTTP/2 connection per TLS identity, as client-go's does.
 *
 * client-node sends through undici's fetch, whose HTTP/1.1 path (undici enables HTTP/2 only when
 * asked) costs about twice the client CPU per status write of node:http2, and whose response
 * objects (WHATWG streams, Headers) are most of that (bench/README.md). This sends the same
 * RequestContext (method, URL, headers, body, abort signal) on a shared ClientHttp2Session and
 * answers with a ResponseContext. A session that received GOAWAY, failed or sat idle is retired;
 * the next request opens a new one. A request refused by a closing session (REFUSED_STREAM or a
 * session already going away) is sent once more on a new session: the server did not process it.
 * A server that refuses HTTP/2 in ALPN is remembered and served by `fallback`.
 */
export class Http2Transport implements PromiseHttpLibrary {
  private readonly sessions = new Map<string, Session>();
  private readonly http1Only = new Set<string>();
  private readonly fallback: PromiseHttpLibrary;
  private readonly idleTimeoutMs: number;
  private readonly maxSessions: number;

  constructor(private readonly options: Http2TransportOptions) {
    this.fallback = options.fallback ?? new FetchLibrary();
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.maxSessions = options.maxSessions ?? 4;
  }

  /** Open HTTP/2 sessions (for tests and metrics). */
  get connections(): number {
    return this.sessions.size;
  }

  async send(request: RequestContext): Promise<ResponseContext> {
    request.setHeaderParam('User-Agent', this.options.userAgent);
    const target = await this.options.target();
    if (this.http1Only.has(target.key)) return this.fallback.send(request);
    try {
      return await this.exchange(target, request);
    } catch (err) {
      if (err instanceof NoHttp2Error) {
        this.http1Only.add(target.key);
        return this.fallback.send(request);
      }
      if (!isRefused(err)) throw err;
      return this.exchange(target, request);
    }
  }

  /** Closes every session (requests in flight finish first). */
  close(): void {
    for (const { session } of this.sessions.values()) session.close();
    this.sessions.clear();
  }

  private exchange(target: TlsTarget, request: RequestContext): Promise<ResponseContext> {
    const signal = request.getSignal();
    signal?.throwIfAborted();
    const entry = this.session(target);
    const url = new URL(request.getUrl());
    const headers: OutgoingHttpHeaders = {
      [constants.HTTP2_HEADER_METHOD]: request.getHttpMethod(),
      [constants.HTTP2_HEADER_PATH]: `${url.pathname}${url.search}`,
    };
    for (const [name, value] of Object.entries(request.getHeaders())) {
      const lower = name.toLowerCase();
      if (!CONNECTION_HEADERS.has(lower)) headers[lower] = value;
    }
    const body = request.getBody();
    if (body !== undefined && typeof body !== 'string')
      return Promise.reject(new TypeError('Http2Transport sends string bodies only'));

    return new Promise<ResponseContext>((resolve, reject) => {
      const stream = entry.session.request(headers, {
        endStream: body === undefined,
        ...(signal === undefined ? {} : { signal }),
      });
      this.started(entry);
      let status = 0;
      let answer: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      stream.on('response', (h) => {
        answer = h;
        status = Number(h[constants.HTTP2_HEADER_STATUS]);
      });
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      // A stream cancelled by its session's failure (TLS, connect) carries that failure as cause.
      stream.on('error', (err: Error & { code?: string }) => {
        if (stream.rstCode === constants.NGHTTP2_REFUSED_STREAM) {
          reject(refusedError());
          return;
        }
        const cause =
          err.code === 'ERR_HTTP2_STREAM_CANCEL' && err.cause instanceof Error ? err.cause : err;
        const spoke = entry.session.alpnProtocol === 'h2';
        reject(!spoke && isCode(cause, NO_HTTP2) ? new NoHttp2Error(cause.message) : cause);
      });
      stream.on('close', () => {
        this.finished(entry);
        if (status === 0) {
          if (stream.rstCode === constants.NGHTTP2_REFUSED_STREAM) reject(refusedError());
          else
            reject(
              new Error(`HTTP/2 stream closed without a response (code ${String(stream.rstCode)})`),
            );
          return;
        }
        resolve(new ResponseContext(status, flatten(answer), bufferedBody(Buffer.concat(chunks))));
      });
      if (body !== undefined) stream.end(body);
    });
  }

  private session(target: TlsTarget): Session {
    const known = this.sessions.get(target.key);
    if (known !== undefined && !known.session.closed && !known.session.destroyed) return known;
    const session = connect(target.origin, target.tls);
    const entry: Session = { session, active: 0 };
    const retire = (): void => {
      if (this.sessions.get(target.key) === entry) this.sessions.delete(target.key);
    };
    session.on('goaway', retire);
    session.on('close', retire);
    // Errors reach the streams that were on the session; the session is only retired here.
    session.on('error', retire);
    session.setTimeout(this.idleTimeoutMs, () => {
      retire();
      session.close();
    });
    session.unref();
    this.sessions.set(target.key, entry);
    if (this.sessions.size > this.maxSessions) {
      const [oldestKey, oldest] = this.sessions.entries().next().value ?? [];
      if (oldestKey !== undefined) this.sessions.delete(oldestKey);
      oldest?.session.close();
    }
    return entry;
  }

  /** A session with requests in flight keeps the process alive; an idle one does not. */
  private started(entry: Session): void {
    if (entry.active++ === 0) entry.session.ref();
  }

  private finished(entry: Session): void {
    if (--entry.active === 0 && !entry.session.destroyed) entry.session.unref();
  }
}

/** client-node's own library (undici fetch), as a PromiseHttpLibrary. */
class FetchLibrary implements PromiseHttpLibrary {
  private readonly library = new IsomorphicFetchHttpLibrary();

  send(request: RequestContext): Promise<ResponseContext> {
    return this.library.send(request).toPromise();
  }
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function bufferedBody(data: Buffer): ResponseBody {
  return {
    text: () => Promise.resolve(data.toString('utf8')),
    binary: () => Promise.resolve(data),
    stream: () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(data);
          controller.close();
        },
      }),
  };
}

function refusedError(): Error {
  return Object.assign(new Error('the server refused the stream'), {
    code: 'ERR_HTTP2_STREAM_REFUSED',
  });
}

function isCode(err: unknown, codes: ReadonlySet<string>): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && codes.has(code);
}

/** The server did not process the request: it may be sent again. */
function isRefused(err: unknown): boolean {
  return isCode(
    err,
    new Set(['ERR_HTTP2_STREAM_REFUSED', 'ERR_HTTP2_GOAWAY_SESSION', 'ERR_HTTP2_INVALID_SESSION']),
  );
}
