import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';

/**
 * TCP keep-alive probe delay of the pooled sockets. axios sets 60 s on a request's socket and
 * Node's agent sets its keepAliveMsecs when the socket goes back to the pool: with Node's
 * default of 1 s the two alternate, and each change is a setsockopt system call, two per
 * request (0.2-0.3 s of CPU per 10,000 requests, profiled). The same value makes it one per socket.
 */
export const KEEP_ALIVE_MS = 60_000;

export interface AgentPoolOptions {
  /** Extra CA certificates (PEM), trusted in addition to Node's default roots. */
  caBundle?: string;
  maxSockets: number;
}

/**
 * Keep-alive agents for direct connections and, per proxy, tunnelling agents. The proxy is
 * looked up for every request (HTTPS_PROXY / HTTP_PROXY / NO_PROXY, read when the request is
 * made, as curl and Go do), so a changed environment needs no restart.
 */
export class AgentPool {
  private readonly ca: string[] | undefined;
  /** The socket options of every agent, direct and tunnelling. */
  private readonly sockets: { keepAlive: true; keepAliveMsecs: number; maxSockets: number };
  private readonly direct: { http: http.Agent; https: https.Agent };
  private readonly proxied = new Map<string, TunnellingAgent>();

  constructor(options: AgentPoolOptions) {
    // Node's `ca` option replaces the default roots: keep them and add the extra bundle.
    this.ca =
      options.caBundle === undefined || options.caBundle.trim() === ''
        ? undefined
        : [...tls.rootCertificates, options.caBundle];
    this.sockets = {
      keepAlive: true,
      keepAliveMsecs: KEEP_ALIVE_MS,
      maxSockets: options.maxSockets,
    };
    this.direct = {
      http: new http.Agent(this.sockets),
      https: new https.Agent({
        ...this.sockets,
        ...(this.ca === undefined ? {} : { ca: this.ca }),
      }),
    };
  }

  /** The agents for a request to `url`, and the proxy in use ('' for none). */
  agentsFor(url: URL): { httpAgent: http.Agent; httpsAgent: http.Agent; proxy: string } {
    const proxy = getProxyForUrl(url);
    if (proxy === '') {
      return { httpAgent: this.direct.http, httpsAgent: this.direct.https, proxy };
    }
    let agent = this.proxied.get(proxy);
    if (agent === undefined) {
      // The CONNECT tunnel serves both schemes; TLS to the target runs inside it.
      agent = new TunnellingAgent(proxy, this.ca, this.sockets);
      this.proxied.set(proxy, agent);
    }
    return { httpAgent: agent, httpsAgent: agent, proxy };
  }

  /** Closes idle sockets; in-flight requests finish. */
  destroy(): void {
    this.direct.http.destroy();
    this.direct.https.destroy();
    for (const agent of this.proxied.values()) agent.destroy();
    this.proxied.clear();
  }
}

type ConnectOpts = Parameters<HttpsProxyAgent<string>['connect']>[1];

/**
 * HttpsProxyAgent uses its constructor's TLS options for the connection to the proxy only; the
 * TLS session with the target inside the tunnel gets the request's options, where axios puts
 * no `ca`. This adds the CA bundle there, so the target is verified against it.
 */
class TunnellingAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: string,
    private readonly targetCa: string[] | undefined,
    options: ConstructorParameters<typeof HttpsProxyAgent<string>>[1],
  ) {
    super(proxy, options);
  }

  override connect(
    req: http.ClientRequest,
    opts: ConnectOpts,
  ): ReturnType<HttpsProxyAgent<string>['connect']> {
    if (this.targetCa === undefined || !opts.secureEndpoint) return super.connect(req, opts);
    return super.connect(req, { ...opts, ca: this.targetCa });
  }
}
